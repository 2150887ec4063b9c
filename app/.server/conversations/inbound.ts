import { createHash } from "node:crypto";
import { and, eq, inArray, isNull, or, sql } from "drizzle-orm";
import { countSegments } from "~/lib/segments";
import { db } from "../platform/db/client";
import type { Db } from "../platform/db/connect";
import { conversations, messages, users } from "../platform/db/schema";
import { isUuid } from "../platform/db/uuid";
import { publish } from "../platform/event-bus";
import { consentKeyword } from "./consent";
import { claimNonce, type Nonce } from "../webhooks/nonces";
import type { ReportedStatus } from "../webhooks/parse";

/** An SMS someone sent to our virtual number, numbers already in E.164. */
export type InboundSms = {
  from: string;
  to: string;
  body: string;
  providerMessageId?: string;
  /** The provider's timestamp exactly as sent: only used to recognise redeliveries. */
  sentAt?: string;
};

export type DeliveryReport = {
  providerMessageId?: string;
  /** Our message id, which we pass to MessageBird as `reference` when sending. */
  reference?: string;
  status: ReportedStatus;
  reason?: string;
  errorCode?: string;
  statusAt?: Date;
};

/** A signed webhook's nonce was already recorded: nothing was stored. */
type Replayed = { status: "replayed" };

export type Received = { status: "stored"; id: string; conversationId: string } | { status: "duplicate" } | Replayed;

export type ReportOutcome = { status: "updated" | "unchanged"; id: string; conversationId: string } | { status: "ignored" } | Replayed;

/**
 * Stores an inbound SMS exactly once, whoever sent it: numbers nobody has
 * verified form unclaimed conversations that agents see. Resolves only after
 * commit, so a 2xx built on it never acknowledges a lost message. A signed
 * webhook's `nonce` commits with the message or not at all.
 */
export async function receiveInbound(sms: InboundSms, nonce?: Nonce): Promise<Received> {
  const receivedAt = new Date();
  const [providerMessageId, ...earlierIds] = redeliveryIds(sms, receivedAt);
  const received = await db.transaction(async (tx): Promise<Received> => {
    // Before the conversation's row lock, so a replay holds up no one and waits only for its original.
    if (nonce && !(await claimNonce(tx, nonce))) return { status: "replayed" };
    // DO UPDATE (not DO NOTHING) so the row comes back and stays locked until
    // commit: one sender's concurrent deliveries take turns, which keeps the
    // earlier-window lookup below free of races.
    const [conversation] = await tx
      .insert(conversations)
      .values({
        contactNumber: sms.from,
        virtualNumber: sms.to,
        userId: sql`(select ${users.id} from ${users} where ${users.phoneNumber} = ${sms.from})`,
      })
      // A no-op update, only for the row lock and RETURNING. Ownership is never
      // rewritten here: claiming and removing a number own it, and a value read
      // from this statement's snapshot could undo a removal committed meanwhile.
      .onConflictDoUpdate({ target: conversations.contactNumber, set: { contactNumber: sql`excluded.contact_number` } })
      .returning({ id: conversations.id });
    const conversationId = conversation!.id;

    if (earlierIds.length > 0) {
      const [seen] = await tx
        .select({ id: messages.id })
        .from(messages)
        .where(inArray(messages.providerMessageId, earlierIds))
        .limit(1);
      if (seen) return { status: "duplicate" };
    }

    const [message] = await tx
      .insert(messages)
      .values({
        conversationId,
        direction: "inbound",
        body: sms.body,
        fromNumber: sms.from,
        toNumber: sms.to,
        status: "received",
        providerMessageId,
        segments: countSegments(sms.body).segments,
        createdAt: receivedAt,
        statusAt: receivedAt,
      })
      .onConflictDoNothing({ target: messages.providerMessageId })
      .returning({ id: messages.id });
    if (!message) return { status: "duplicate" };

    const keyword = consentKeyword(sms.body);
    const now = sql`${receivedAt.toISOString()}::timestamptz`;
    await tx
      .update(conversations)
      .set({
        lastMessageAt: sql`greatest(${conversations.lastMessageAt}, ${now})`,
        ...(keyword === "opt-out" && { optedOutAt: sql`coalesce(${conversations.optedOutAt}, ${now})` }),
        ...(keyword === "opt-in" && { optedOutAt: null }),
      })
      .where(eq(conversations.id, conversationId));
    return { status: "stored", id: message.id, conversationId };
  });
  if (received.status === "stored") publish({ kind: "message", conversationId: received.conversationId, messageId: received.id });
  return received;
}

// Without a provider id or timestamp (the tutorial's Flow Builder JSON) a
// redelivery looks exactly like the same text sent again, so identical texts
// are treated as one within 10-20 minutes: long enough for MessageBird's
// retries, short enough that a later "yes" is a new message. See
// docs/decisions/deduplicating-inbound-sms-without-an-id.md.
const DEDUPE_WINDOW_MS = 10 * 60_000;

/** The id to store first, then ids under which an earlier delivery may already be stored. */
function redeliveryIds(sms: InboundSms, receivedAt: Date): [string, ...string[]] {
  if (sms.providerMessageId) return [sms.providerMessageId];
  const derived = (when: string) =>
    `derived:${createHash("sha256").update(JSON.stringify([sms.from, sms.to, sms.body, when])).digest("hex")}`;
  if (sms.sentAt) return [derived(sms.sentAt)];
  const window = Math.floor(receivedAt.getTime() / DEDUPE_WINDOW_MS);
  return [derived(`window:${window}`), derived(`window:${window - 1}`)];
}

const REPORTED_AS = {
  scheduled: "queued",
  sent: "sent",
  buffered: "buffered",
  delivered: "delivered",
  expired: "expired",
  delivery_failed: "failed",
} as const satisfies Record<ReportedStatus, string>;

type OutboundStatus = (typeof REPORTED_AS)[ReportedStatus];

// Reports arrive late and out of order; a status only ever moves to a later stage.
const STAGE: Record<OutboundStatus, number> = { queued: 0, sent: 1, buffered: 2, delivered: 3, expired: 3, failed: 3 };
const OUTBOUND_STATUSES = Object.keys(STAGE) as OutboundStatus[];

/** Moves an outbound message's status forward. A signed webhook's `nonce` commits with the change or not at all. */
export async function applyDeliveryReport(report: DeliveryReport, nonce?: Nonce): Promise<ReportOutcome> {
  // Without a nonce the lookup and the conditional update stand alone; a nonce must commit with the change.
  const outcome = nonce ? await db.transaction((tx) => applyReport(tx, report, nonce)) : await applyReport(db, report);
  if (outcome.status === "updated") publish({ kind: "status", conversationId: outcome.conversationId, messageId: outcome.id });
  return outcome;
}

async function applyReport(tx: Db, report: DeliveryReport, nonce?: Nonce): Promise<ReportOutcome> {
  if (nonce && !(await claimNonce(tx, nonce))) return { status: "replayed" };
  const byProviderId = report.providerMessageId ? eq(messages.providerMessageId, report.providerMessageId) : undefined;
  const byReference = report.reference && isUuid(report.reference) ? eq(messages.id, report.reference) : undefined;
  if (!byProviderId && !byReference) return { status: "ignored" };
  const [message] = await tx
    .select({ id: messages.id, conversationId: messages.conversationId })
    .from(messages)
    .where(and(eq(messages.direction, "outbound"), or(byProviderId, byReference)))
    .limit(1);
  if (!message) return { status: "ignored" };

  const next = REPORTED_AS[report.status];
  const final = next === "failed" || next === "expired";
  // One conditional statement, so two reports racing cannot move a status backwards.
  const [updated] = await tx
    .update(messages)
    .set({
      status: next,
      statusAt: report.statusAt ?? new Date(),
      ...(final
        ? { errorMessage: report.reason ?? null, errorCode: report.errorCode ?? null }
        : { errorMessage: null, errorCode: null }),
      ...(report.providerMessageId && { providerMessageId: sql`coalesce(${messages.providerMessageId}, ${report.providerMessageId})` }),
    })
    .where(
      and(
        eq(messages.id, message.id),
        or(
          inArray(messages.status, OUTBOUND_STATUSES.filter((s) => STAGE[s] < STAGE[next])),
          // Marked failed here because MessageBird never answered (see outbound.ts): its
          // report is the first word we hear, and it may well say the SMS went out.
          next === "failed" ? undefined : and(eq(messages.status, "failed"), isNull(messages.providerMessageId)),
        ),
      ),
    )
    .returning({ id: messages.id });
  return { status: updated ? "updated" : "unchanged", id: message.id, conversationId: message.conversationId };
}
