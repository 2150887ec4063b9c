import { WEBHOOK_PATHS } from "~/lib/webhook-paths";
import { env } from "../platform/env";
import { log } from "../platform/log";
import { registeredBirdWebhooks, saveBirdWebhook, type RegisteredWebhook } from "../webhooks/bird-secrets";
import { birdConnection } from "./bird-connection";
import { BIRD_EVENTS, BirdRequestError, keyProblem, type BirdNumber, type BirdWorkspace } from "./bird-platform";
import { addNumber, listNumbers, type NumberChange } from "./numbers";

/**
 * What /team/provider shows and does: which API the key speaks, whether the
 * provider takes it, and for the Bird platform the workspace, its numbers and
 * the webhook. Numbers join Birdline only when an admin adds them.
 */

/** Where Bird delivers our events: the public URL, never an internal one. */
export const birdWebhookUrl = () => new URL(WEBHOOK_PATHS.bird, env.appUrl.origin).toString();

export type BirdNumberRow = BirdNumber & { inBirdline: boolean };

export type ProviderOverview =
  | { api: "messagebird"; simulated: boolean; problem: string | null }
  | {
      api: "bird";
      simulated: boolean;
      problem: string | null;
      workspace: BirdWorkspace | null;
      numbers: BirdNumberRow[];
      webhook: {
        url: string;
        events: readonly string[];
        registered: RegisteredWebhook[];
        secretFromEnv: boolean;
        /** Bird refuses endpoints it cannot reach; only the real Bird, since a stand-in (BIRD_API_URL, the simulator) may well reach us. */
        unreachable: boolean;
      };
    };

/** One sentence naming the fix when a platform call failed; never the key. */
export function problemOf(error: unknown): string {
  if (!(error instanceof BirdRequestError)) throw error;
  const { failure } = error;
  if (failure.status === null)
    return "Could not reach Bird (no answer in time): check the network, or BIRD_API_URL if set.";
  if (failure.status === 401 || failure.status === 403 || failure.status === 421) return keyProblem(failure);
  return `Bird answered ${failure.status}${failure.message ? `: ${failure.message}` : ""}.`;
}

export async function providerOverview(): Promise<ProviderOverview> {
  const simulated = env.smsGateway === "simulator";
  if (env.smsApi === "messagebird") return { api: "messagebird", simulated, problem: await legacyKeyProblem() };
  const { client } = birdConnection();
  const [workspace, birdNumbers, ours, registered] = await Promise.all([
    client.workspace().catch((error: unknown) => problemOf(error)),
    client.numbers().catch((error: unknown) => problemOf(error)),
    listNumbers(),
    registeredBirdWebhooks(),
  ]);
  const known = new Set(ours.map((number) => number.number));
  const problem = typeof workspace === "string" ? workspace : typeof birdNumbers === "string" ? birdNumbers : null;
  return {
    api: "bird",
    simulated,
    problem,
    workspace: typeof workspace === "string" ? null : workspace,
    numbers: typeof birdNumbers === "string" ? [] : birdNumbers.map((n) => ({ ...n, inBirdline: known.has(n.number) })),
    webhook: {
      url: birdWebhookUrl(),
      events: BIRD_EVENTS,
      registered,
      secretFromEnv: Boolean(env.bird.webhookSecret),
      unreachable: env.mode === "local" && !simulated && !env.bird.apiUrlOverridden,
    },
  };
}

async function legacyKeyProblem(): Promise<string | null> {
  if (env.smsGateway !== "messagebird") return null;
  const { checkMessageBirdKey } = await import("./messagebird");
  return checkMessageBirdKey(env.messagebird.apiKey!, env.messagebird.apiUrl);
}

/** Checked once at boot: a key the provider refuses is logged as one sentence naming the fix. */
export async function reportProviderProblem(): Promise<void> {
  if (env.smsGateway !== "messagebird") return;
  let problem: string | null;
  if (env.smsApi === "messagebird") problem = await legacyKeyProblem();
  else {
    problem = await birdConnection()
      .client.workspace()
      .then(
        () => null,
        (error: unknown) => problemOf(error),
      );
  }
  if (problem) log.error(problem);
}

/** Adds one of the workspace's numbers to Birdline, labelled with Bird's name for it. */
export async function addBirdNumber(number: string): Promise<NumberChange> {
  const numbers = await birdConnection().client.numbers();
  const found = numbers.find((candidate) => candidate.number === number);
  if (!found) return { ok: false, field: "number", message: "That number is not in the Bird workspace.", status: 404 };
  return addNumber({ number: found.number, label: found.name ?? "Bird number" });
}

export type Registration = { ok: true; id: string } | { ok: false; message: string };

/** Creates the endpoint at Bird for every event we handle; its secret is in force as soon as this returns. */
export async function registerBirdWebhook(): Promise<Registration> {
  try {
    const webhook = await birdConnection().client.createWebhook(birdWebhookUrl());
    await saveBirdWebhook(webhook);
    log.info("Bird webhook registered", { webhookId: webhook.id, url: webhook.url });
    return { ok: true, id: webhook.id };
  } catch (error) {
    return { ok: false, message: problemOf(error) };
  }
}
