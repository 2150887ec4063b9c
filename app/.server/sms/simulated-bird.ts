import { randomBytes, randomUUID } from "node:crypto";
import { z } from "zod";
import { normalizeProviderPhone } from "~/lib/phone";
import { scenarioFor } from "~/lib/simulator-scenarios";
import { SIMULATED_BIRD_API, WEBHOOK_PATHS } from "~/lib/webhook-paths";
import { db } from "../platform/db/client";
import { simulatedSms } from "../platform/db/schema";
import type { DirectRequest, DirectRoute } from "../platform/edge/listener";
import { internalUrl } from "../platform/internal-origin";
import { log } from "../platform/log";
import { secretMatches } from "../webhooks/authenticate";
import { sign } from "../webhooks/standard-webhooks";
import { BIRD_EVENTS } from "./bird-platform";
import { isSimulatedBird, simulatedBirdKey, simulatedBirdWebhookSecret } from "./bird-connection";
import { defaultSender } from "./numbers";
import type { HandsetSendResult, HandsetSms } from "./simulator";

/**
 * The simulator in the Bird platform's dialect (SIMULATOR_API=bird): a
 * stand-in for https://<region>.platform.bird.com/v1 on this server, which the
 * real Bird gateway and setup page call over HTTP, and handsets that deliver
 * Bird-format events signed per Standard Webhooks. So the whole Bird path runs
 * in local mode and e2e without an account. It always delivers to this
 * server's /webhooks/bird, registered or not (Bird could not reach localhost).
 */

type Answer = { status: number; body: object };
type Json = Record<string, unknown>;

const platformError = (status: number, name: string, message: string): Answer => ({
  status,
  body: { error: { type: status === 401 ? "auth_error" : "invalid_request_error", code: "E00000", name, message } },
});

/** Fictional numbers (Ofcom's drama range) besides the default, so "Add to Birdline" has something to add. */
const EXTRA_NUMBERS = Array.from({ length: 8 }, (_, i) => `+44770090000${i + 1}`);

const SendBody = z.object({
  to: z.string().refine((value) => normalizeProviderPhone(value) === value, "must be E.164"),
  from: z.string().min(1).optional(),
  text: z.string().min(1),
  category: z.enum(["transactional", "marketing", "authentication", "service"]),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

const WebhookBody = z.object({ url: z.url(), events: z.array(z.enum(BIRD_EVENTS)).min(1) });

/** Idempotent sends, as Bird keeps them for about three hours; bounded, since the simulator runs for days. */
const replies = new Map<string, Answer>();
const MAX_REMEMBERED = 10_000;

/** How long the simulated network takes; Bird usually reports within seconds. */
const DELIVERY_DELAY_MS = 1000;

function endpoint(handle: (request: DirectRequest, json: Json) => Promise<Answer> | Answer): DirectRoute {
  return async (request) => {
    if (!isSimulatedBird()) return { status: 404, body: { error: "not found" } };
    const [scheme, key] = (request.headers.get("authorization") ?? "").split(" ");
    if (scheme !== "Bearer" || !key || !secretMatches(key, simulatedBirdKey())) {
      return platformError(401, "AuthenticationError", "missing or invalid API key");
    }
    let json: Json = {};
    if (request.body.byteLength > 0) {
      try {
        json = JSON.parse(Buffer.from(request.body).toString("utf8")) as Json;
      } catch {
        return platformError(400, "InvalidJSON", "the body is not JSON");
      }
    }
    return handle(request, json);
  };
}

async function sendSms(request: DirectRequest, json: Json): Promise<Answer> {
  if (request.method !== "POST") return platformError(405, "MethodNotAllowed", "use POST");
  const key = request.headers.get("idempotency-key");
  if (!key || key.length > 255) return platformError(400, "InvalidIdempotencyKey", "Idempotency-Key: 1-255 characters");
  const replayed = replies.get(key);
  if (replayed) return replayed;
  const parsed = SendBody.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return platformError(422, "ValidationError", `${issue.path.join(".")}: ${issue.message}`);
  }
  const { to, from, text, category, metadata } = parsed.data;
  if (!from) return platformError(422, "SMSNoEligibleSender", "from is required with text");
  const scenario = scenarioFor(to);
  if (scenario === "refused")
    return platformError(422, "SMSInvalidRecipient", "the recipient cannot receive SMS (simulated)");
  if (scenario === "outage") return platformError(503, "ServiceUnavailable", "simulated outage");

  const id = `sms_${randomBytes(13).toString("hex")}`;
  const reference = typeof metadata?.birdline_message_id === "string" ? metadata.birdline_message_id : null;
  await db
    .insert(simulatedSms)
    .values({ providerMessageId: id, fromNumber: from, toNumber: to, body: text, reference });
  const answer: Answer = {
    status: 202,
    body: { id, direction: "outbound", status: "accepted", to, from, text, category, metadata: metadata ?? null },
  };
  if (replies.size >= MAX_REMEMBERED) replies.clear();
  replies.set(key, answer);

  // Like the simulator's MessageBird dialect: statuses only for our own messages (replies carry our id).
  if (reference) {
    const data = { sms_id: id, to, from, metadata: metadata ?? null };
    const final =
      scenario === "undeliverable"
        ? {
            type: "sms.undelivered",
            data: { ...data, error: { code: "unreachable", description: "Subscriber absent (simulated)" } },
          }
        : { type: "sms.delivered", data };
    setTimeout(() => void deliverEvent(final.type, final.data), DELIVERY_DELAY_MS).unref();
  }
  return answer;
}

const workspace = (): Answer => ({ status: 200, body: { id: "ws_simulated", name: "Simulated workspace" } });

const numbers = (): Answer => ({
  status: 200,
  body: {
    data: [defaultSender(), ...EXTRA_NUMBERS].map((number, n) => ({
      id: `nda_simulated${n}`,
      number,
      name: n === 0 ? "Simulated main number" : null,
      country_code: "GB",
      capabilities: ["sms"],
      status: "active",
    })),
    next_cursor: null,
  },
});

function createWebhook(request: DirectRequest, json: Json): Answer {
  if (request.method !== "POST") return platformError(405, "MethodNotAllowed", "use POST");
  const parsed = WebhookBody.safeParse(json);
  if (!parsed.success) return platformError(422, "ValidationError", parsed.error.issues[0]!.message);
  return {
    status: 201,
    body: {
      id: `whk_simulated_${randomBytes(6).toString("hex")}`,
      ...parsed.data,
      status: "active",
      created_at: new Date().toISOString(),
      secret: simulatedBirdWebhookSecret(),
    },
  };
}

export const simulatedBirdRoutes: Readonly<Record<string, DirectRoute>> = {
  [`${SIMULATED_BIRD_API}/sms/messages`]: endpoint(sendSms),
  [`${SIMULATED_BIRD_API}/workspace`]: endpoint(workspace),
  [`${SIMULATED_BIRD_API}/numbers`]: endpoint(numbers),
  [`${SIMULATED_BIRD_API}/webhooks`]: endpoint(createWebhook),
};

/** Posts one event to our own Bird webhook, signed as Bird signs. Answers the status, or null when unreachable. */
async function deliverEvent(type: string, data: Json): Promise<Response | null> {
  const body = Buffer.from(JSON.stringify({ type, timestamp: new Date().toISOString(), data }));
  const id = `msg_${randomUUID()}`;
  const timestamp = String(Math.floor(Date.now() / 1000));
  try {
    const response = await fetch(internalUrl(WEBHOOK_PATHS.bird), {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "webhook-id": id,
        "webhook-timestamp": timestamp,
        "webhook-signature": sign(simulatedBirdWebhookSecret(), id, timestamp, body),
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) log.warn("simulated Bird event refused", { type, status: response.status });
    return response;
  } catch (error) {
    log.warn("simulated Bird event failed", { type, error });
    return null;
  }
}

/** A handset texting one of our numbers, as Bird delivers it: a signed `sms.received`. */
export async function sendFromBirdHandset({ from, to, body }: HandsetSms): Promise<HandsetSendResult> {
  const response = await deliverEvent("sms.received", {
    sms_id: `sms_${randomBytes(13).toString("hex")}`,
    workspace_id: "ws_simulated",
    from,
    to,
    text: body,
  });
  if (!response) return { ok: false, message: `Could not reach ${WEBHOOK_PATHS.bird}. Is the server still running?` };
  if (response.ok) return { ok: true };
  const answer = (await response.text()).slice(0, 200);
  return { ok: false, message: `The webhook answered ${response.status}${answer ? `: ${answer}` : ""}` };
}
