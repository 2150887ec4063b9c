import { randomBytes } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { db } from "../platform/db/client";
import type { Db } from "../platform/db/connect";
import { messages, simulatedSms } from "../platform/db/schema";
import { log } from "../platform/log";
import { internalUrl } from "../platform/internal-origin";
import { scenarioFor } from "~/lib/simulator-scenarios";
import { SmsSendError, webhookUrl, type SmsGateway } from "./gateway";
import { WEBHOOK_PATHS } from "~/lib/webhook-paths";

/** The query MessageBird puts on a status-report GET, as the simulator sends it. */
export type StatusReportQuery = {
  id: string;
  reference: string;
  recipient: string;
  status: "delivered" | "delivery_failed";
  statusDatetime: string;
  statusReason?: string;
  statusErrorCode?: string;
};

export type SimulatorOptions = {
  /** How long the "network" takes to deliver; MessageBird usually reports within seconds. */
  deliveryDelayMs?: number;
  deliver?: (report: StatusReportQuery) => Promise<void>;
};

export function createSimulatorGateway({
  deliveryDelayMs = 1000,
  deliver = dispatchDeliveryReport,
}: SimulatorOptions = {}): SmsGateway {
  return {
    name: "simulator",
    async send({ from, to, body, reference }) {
      const scenario = scenarioFor(to);
      if (scenario === "refused") {
        throw new SmsSendError({
          kind: "permanent",
          reason: "This phone number cannot receive SMS (simulated: no (correct) recipients found).",
          providerCode: "9",
          statusCode: 422,
        });
      }
      if (scenario === "outage" && stillDown(reference ?? to)) {
        throw new SmsSendError({ kind: "transient", reason: "MessageBird unreachable (simulated).", statusCode: 503 });
      }

      // Same shape as MessageBird's ids (32 hex characters).
      const providerMessageId = randomBytes(16).toString("hex");
      await db.insert(simulatedSms).values({ providerMessageId, fromNumber: from, toNumber: to, body, reference });
      // Like MessageBird: no reference, no delivery report.
      if (!reference) return { providerMessageId };

      const undeliverable = scenario === "undeliverable";
      const report = (): StatusReportQuery => ({
        id: providerMessageId,
        reference,
        // MessageBird sends numbers without the "+".
        recipient: to.replace(/^\+/, ""),
        status: undeliverable ? "delivery_failed" : "delivered",
        statusDatetime: new Date().toISOString(),
        ...(undeliverable && { statusReason: "unknown subscriber", statusErrorCode: "1" }),
      });
      // Unref'd: a pending report must never keep a test run or a shutting-down server alive.
      setTimeout(() => void deliver(report()), deliveryDelayMs).unref();
      return { providerMessageId };
    },

    async findSent({ reference }) {
      const [sent] = await db
        .select({ providerMessageId: simulatedSms.providerMessageId })
        .from(simulatedSms)
        .where(eq(simulatedSms.reference, reference));
      return sent ?? null;
    },

    async deliveryStatus(providerMessageId) {
      const [sent] = await db
        .select({ to: simulatedSms.toNumber, reference: simulatedSms.reference })
        .from(simulatedSms)
        .where(eq(simulatedSms.providerMessageId, providerMessageId));
      if (!sent) return null;
      const undeliverable = scenarioFor(sent.to) === "undeliverable";
      return {
        providerMessageId,
        reference: sent.reference ?? undefined,
        status: undeliverable ? "delivery_failed" : "delivered",
        ...(undeliverable && { reason: "unknown subscriber", errorCode: "1" }),
      };
    },
  };
}

/** A simulated outage passes: each SMS fails this many times, then goes out (per process; enough for a demo). */
const OUTAGE_ATTEMPTS = 2;
const outageAttempts = new Map<string, number>();
function stillDown(key: string): boolean {
  const attempts = outageAttempts.get(key) ?? 0;
  if (attempts >= OUTAGE_ATTEMPTS) {
    outageAttempts.delete(key);
    return false;
  }
  // Bounded: a flood of distinct keys costs a cleared map, not memory.
  if (outageAttempts.size >= 10_000) outageAttempts.clear();
  outageAttempts.set(key, attempts + 1);
  return true;
}

/** Calls our own status webhook exactly as MessageBird would. Failures are logged, never thrown: nobody is waiting. */
export async function dispatchDeliveryReport(report: StatusReportQuery): Promise<void> {
  const url = webhookUrl(WEBHOOK_PATHS.status, internalUrl("/"));
  for (const [name, value] of Object.entries(report)) if (value !== undefined) url.searchParams.set(name, value);
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    if (!response.ok)
      log.warn("simulated delivery report refused", { status: response.status, providerMessageId: report.id });
  } catch (error) {
    log.warn("simulated delivery report failed", { error, providerMessageId: report.id });
  }
}

export type HandsetMessage = {
  id: string;
  direction: "received" | "sent";
  body: string;
  at: Date;
  /** Which of our numbers sent it, or was texted. */
  ourNumber: string;
};

/** What a simulated handset shows: SMS the simulator delivered to it and SMS it sent to us, oldest first. */
export async function handsetMessages(number: string, limit = 200): Promise<HandsetMessage[]> {
  const [received, sent] = await Promise.all([
    db
      .select({
        id: simulatedSms.id,
        body: simulatedSms.body,
        at: simulatedSms.createdAt,
        ourNumber: simulatedSms.fromNumber,
      })
      .from(simulatedSms)
      .where(eq(simulatedSms.toNumber, number))
      .orderBy(desc(simulatedSms.createdAt))
      .limit(limit),
    db
      .select({ id: messages.id, body: messages.body, at: messages.createdAt, ourNumber: messages.toNumber })
      .from(messages)
      .where(and(eq(messages.direction, "inbound"), eq(messages.fromNumber, number)))
      .orderBy(desc(messages.createdAt))
      .limit(limit),
  ]);
  return [
    ...received.map((m) => ({ ...m, direction: "received" as const })),
    ...sent.map((m) => ({ ...m, direction: "sent" as const })),
  ]
    .sort((a, b) => a.at.getTime() - b.at.getTime())
    .slice(-limit);
}

/** For erasing a contact: what the simulator delivered to their handset (what they sent us goes with their messages). */
export async function forgetHandset(tx: Db, number: string): Promise<void> {
  await tx.delete(simulatedSms).where(eq(simulatedSms.toNumber, number));
}

/** The inbound webhook as MessageBird calls it (public URL, shared secret), for the handset page's curl example. */
export const inboundWebhookUrl = () => webhookUrl(WEBHOOK_PATHS.inbound);

export type HandsetSendResult = { ok: true } | { ok: false; message: string };
/** An SMS a simulated handset sends to one of our numbers. */
export type HandsetSms = { from: string; to: string; body: string };

/**
 * Sends an SMS from a simulated handset to one of our numbers through the real
 * inbound webhook over HTTP, in the Flow Builder JSON shape, so it takes the
 * same path as a message from MessageBird.
 */
export async function sendFromHandset({ from, to, body }: HandsetSms): Promise<HandsetSendResult> {
  const url = webhookUrl(WEBHOOK_PATHS.inbound, internalUrl("/"));
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        originator: from,
        recipient: to,
        payload: body,
        messageId: randomBytes(16).toString("hex"),
        receivedAt: new Date().toISOString(),
      }),
      signal: AbortSignal.timeout(10_000),
    });
    if (response.ok) return { ok: true };
    const answer = (await response.text()).slice(0, 200);
    log.warn("simulated inbound SMS refused", { status: response.status });
    return { ok: false, message: `The webhook answered ${response.status}${answer ? `: ${answer}` : ""}` };
  } catch (error) {
    log.warn("simulated inbound SMS failed", { error });
    return {
      ok: false,
      message: `Could not reach ${url.origin}/webhooks/messagebird (${String(error)}). Is the server still running?`,
    };
  }
}
