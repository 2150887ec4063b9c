import { and, eq, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import { db } from "../platform/db/client";
import type { Db } from "../platform/db/connect";
import { preparedRows } from "../platform/db/prepared";
import { messages } from "../platform/db/schema";
import { env } from "../platform/env";
import { publish } from "../platform/event-bus";
import { enqueue } from "../platform/jobs";
import { log } from "../platform/log";
import { smsGateway, SmsSendError } from "../sms/gateway";
import { acceptedStatus } from "./delivery-status";
import { retryDelayMs } from "../sms/retry-delay";
import { updateWithMessageEvents } from "../outgoing-webhooks/events";
import type { WebhookEvent } from "~/lib/outgoing-webhook-schemas";

/**
 * The outbox: every outbound message row is written `queued` with a job in the
 * same transaction, and the job queue's worker sends it. A transient failure
 * schedules the next attempt (backoff with jitter, `Retry-After` honoured) for
 * up to SMS_RETRY_WINDOW; a permanent one fails at once with the provider's
 * reason; after an attempt whose outcome is unknown the provider is asked
 * before anything is sent again. Nothing a person sent is lost or sent twice.
 */

export const SEND_SMS_TASK = "send_sms";
/** The sweep for sends nothing was heard of: a cron item, and also due a report timeout after each send. */
export const RECONCILE_TASK = "reconcile_outbox";

/**
 * How long one attempt holds a message: longer than the gateway's own timeout,
 * so a second job for it (Send now racing the scheduled try) never sends too.
 */
const ATTEMPT_LEASE_MS = 60_000;

const jobKey = (messageId: string) => `sms:${messageId}`;

/**
 * Idempotency keys of the answers to HELP (`help:<inbound message id>`). Carriers require HELP
 * to be answered whatever the sender's consent, and the contact asked for this one SMS, which
 * says how to opt out: it goes out even after STOP, where everything else is refused.
 */
export const HELP_ANSWER_KEY = "help:";
const OPTED_OUT_BEFORE_SENDING = "Not sent: the number opted out by texting STOP before it went out.";

/**
 * Runs the sweep by `at` (a second after, so what falls due then is due), or
 * earlier if it is already due earlier: one pending sweep for all messages,
 * at the earliest time any of them needs it. The cron item is the safety net.
 */
export function scheduleReconcile(tx: Db, at: Date) {
  return enqueue(
    tx,
    RECONCILE_TASK,
    {},
    { key: RECONCILE_TASK, runAt: new Date(at.getTime() + 1000), keepEarlier: true },
  );
}

// The sweep this process last scheduled; until it runs, it covers every report due after it.
let sweepScheduledFor = 0;

/**
 * Makes sure a sweep runs once a report falls due at `due`. One pending sweep
 * covers every later report (after running it schedules the next itself), so
 * a busy outbox adds a job once per timeout, not once per SMS.
 */
async function reportDueBy(due: Date) {
  if (sweepScheduledFor > Date.now()) return;
  sweepScheduledFor = due.getTime() + 1000;
  await scheduleReconcile(db, due).catch((error: unknown) => {
    // The minute's cron sweep still finds it.
    sweepScheduledFor = 0;
    log.warn("could not schedule the delivery-report sweep", { error });
  });
}

/** Hands a queued message to the worker, in the transaction that wrote it; `runAt` moves its pending job. */
export function queueSend(tx: Db, messageId: string, runAt?: Date) {
  return enqueue(tx, SEND_SMS_TASK, { messageId }, { key: jobKey(messageId), runAt });
}

type Claimed = {
  id: string;
  conversationId: string;
  fromNumber: string;
  toNumber: string;
  body: string;
  createdAt: Date;
  attempts: number;
  waitingSince: Date | null;
  /** The previous attempt may have gone out: it said so, or it never finished (its lease is still set). */
  askFirst: boolean;
  /** The contact texted STOP after this was written. */
  optedOut: boolean;
};

/** One attempt at one message: the worker's task. Throws only on a bug or a lost database. */
export async function attemptSend(messageId: string, now = new Date()): Promise<void> {
  const started = Date.now();
  const claimed = await claim(messageId, now);
  if (!claimed) return;
  if (claimed.optedOut && !claimed.askFirst) {
    return settle(claimed, { status: "failed", errorMessage: OPTED_OUT_BEFORE_SENDING, errorCode: null });
  }
  const sms = { from: claimed.fromNumber, to: claimed.toNumber, body: claimed.body, reference: claimed.id };
  try {
    const gateway = await smsGateway();
    const found = claimed.askFirst ? await gateway.findSent({ ...sms, since: claimed.createdAt }) : null;
    const { providerMessageId } = found ?? (await gateway.send(sms));
    // The webhooks' message.sent commits with the status, so a crash between the two cannot lose it.
    await settle(
      claimed,
      { providerMessageId, status: acceptedStatus(), errorMessage: null, errorCode: null },
      "message.sent",
    );
    // When this one's report is due, the sweep looks it up if none came.
    await reportDueBy(new Date(Date.now() + env.outbox.deliveryReportTimeoutMs));
  } catch (error) {
    // Waits count from the provider's answer (a Retry-After), not from when the attempt began.
    if (error instanceof SmsSendError) return refused(claimed, error, new Date(now.getTime() + Date.now() - started));
    // Not the provider's answer: a bug or a lost database. The job's own retry tries again, asking first.
    throw error;
  }
}

/** Takes a queued message for one attempt; nobody else takes it while the lease runs. */
async function claim(messageId: string, now: Date): Promise<Claimed | undefined> {
  const [claimed] = await preparedRows<Claimed>(
    db,
    "claim_outbound_message",
    sql`
    update ${messages} m set attempts = m.attempts + 1,
      -- SET reads the row as it was: a lease still set means the attempt that took it never finished.
      outcome_unknown = m.outcome_unknown or m.sending_until is not null,
      sending_until = ${new Date(now.getTime() + ATTEMPT_LEASE_MS).toISOString()}::timestamptz
    where m.id = ${messageId} and m.direction = 'outbound' and m.status = 'queued'
      and (m.sending_until is null or m.sending_until < ${now.toISOString()}::timestamptz)
    returning m.id, m.conversation_id as "conversationId", m.from_number as "fromNumber", m.to_number as "toNumber",
      m.body, m.created_at as "createdAt", m.attempts, m.waiting_since as "waitingSince", m.outcome_unknown as "askFirst",
      (select c.opted_out_at is not null from conversations c where c.id = m.conversation_id)
        -- Only the app's own answer: a person's reply never passes, whatever key it came with.
        and not (m.author = 'system' and coalesce(starts_with(m.idempotency_key, ${HELP_ANSWER_KEY}), false)) as "optedOut"`,
  );
  return claimed && { ...claimed, createdAt: new Date(claimed.createdAt), waitingSince: toDate(claimed.waitingSince) };
}

const toDate = (value: Date | string | null) => (value === null ? null : new Date(value));

/** What the provider's refusal means: wait and try again, or fail now with its reason. */
async function refused(message: Claimed, error: SmsSendError, now: Date) {
  log.warn("SMS not sent", {
    messageId: message.id,
    kind: error.kind,
    attempt: message.attempts,
    providerCode: error.providerCode,
    statusCode: error.statusCode,
  });
  const failedFields = { status: "failed" as const, nextAttemptAt: null, outcomeUnknown: false };
  if (error.kind === "permanent") {
    return settle(message, { ...failedFields, errorMessage: error.reason, errorCode: error.providerCode });
  }
  const waitingSince = message.waitingSince ?? now;
  const delay = retryDelayMs(message.attempts, {
    maxDelayMs: env.outbox.maxRetryDelayMs,
    retryAfterMs: error.retryAfterMs,
  });
  const nextAttemptAt = new Date(now.getTime() + delay);
  if (nextAttemptAt.getTime() > waitingSince.getTime() + env.outbox.retryWindowMs) {
    const hours = Math.round(env.outbox.retryWindowMs / 3_600_000);
    const window = hours >= 1 ? `${hours} hour${hours === 1 ? "" : "s"}` : "the retry window";
    return settle(message, {
      ...failedFields,
      // Failed, but may have gone out: the Retry button asks the provider first.
      outcomeUnknown: error.kind === "unknown",
      errorMessage: `Not sent: tried for ${window}. ${error.reason}`,
      errorCode: error.providerCode,
    });
  }
  await settle(
    message,
    {
      nextAttemptAt,
      waitingSince,
      outcomeUnknown: error.kind === "unknown",
      errorMessage: error.reason,
      errorCode: error.providerCode,
    },
    (tx) => queueSend(tx, message.id, nextAttemptAt),
  );
}

/**
 * Records an attempt's outcome and frees the message. `then` queues what follows in the same
 * transaction; an event type instead tells the outgoing webhooks, in the same statement.
 */
async function settle(
  message: Claimed,
  update: PgUpdateSetSource<typeof messages>,
  then?: ((tx: Db) => Promise<unknown>) | WebhookEvent,
) {
  const record = (tx: Db) =>
    tx
      .update(messages)
      .set({
        nextAttemptAt: null,
        waitingSince: null,
        outcomeUnknown: false,
        ...update,
        sendingUntil: null,
        statusAt: new Date(),
      })
      .where(eq(messages.id, message.id));
  // One statement needs no transaction: a round trip each for BEGIN and COMMIT saved on every SMS.
  if (typeof then === "string") await updateWithMessageEvents(db, then, record(db).returning().getSQL());
  else if (then)
    await db.transaction(async (tx) => {
      await record(tx);
      await then(tx);
    });
  else await record(db);
  publish({ kind: "status", conversationId: message.conversationId, messageId: message.id });
}

export type OutboxAction = { ok: true } | { ok: false; message: string };

/**
 * "Send now": a waiting message is tried at once, a failed one is queued again
 * with a fresh retry window (asking the provider first if it may have gone out).
 * Limits and consent are the caller's to check (outbound.ts).
 */
export async function sendNow(conversationId: string, messageId: string): Promise<OutboxAction> {
  const now = new Date();
  const moved = await db.transaction(async (tx) => {
    const [row] = await tx
      .update(messages)
      .set({
        status: "queued",
        nextAttemptAt: now,
        waitingSince: sql`case when ${messages.status} = 'failed' then null else ${messages.waitingSince} end`,
        statusAt: now,
      })
      .where(
        and(
          eq(messages.id, messageId),
          eq(messages.conversationId, conversationId),
          eq(messages.direction, "outbound"),
          sql`(${messages.status} = 'failed' or (${messages.status} = 'queued' and ${messages.sendingUntil} is null))`,
        ),
      )
      .returning({ id: messages.id });
    if (row) await queueSend(tx, row.id, now);
    return row;
  });
  if (!moved) return { ok: false, message: "This message is already on its way." };
  publish({ kind: "status", conversationId, messageId });
  return { ok: true };
}

/** Withdraws a message that has not gone out; it is kept in the thread as never sent. */
export async function cancelSend(conversationId: string, messageId: string): Promise<OutboxAction> {
  const [cancelled] = await db
    .update(messages)
    .set({ status: "cancelled", nextAttemptAt: null, statusAt: new Date() })
    .where(
      and(
        eq(messages.id, messageId),
        eq(messages.conversationId, conversationId),
        eq(messages.direction, "outbound"),
        // Not while an attempt is under way, nor after a send that may have gone out: it could not be taken back.
        sql`${messages.status} in ('queued', 'failed') and ${messages.sendingUntil} is null and not ${messages.outcomeUnknown}`,
      ),
    )
    .returning({ id: messages.id });
  if (!cancelled)
    return { ok: false, message: "This message may already be on its way and can no longer be cancelled." };
  publish({ kind: "status", conversationId, messageId });
  return { ok: true };
}

/**
 * The safety net, run every minute: a queued message whose job is gone (a
 * database restored from a backup, a worker killed mid-attempt and its lock not
 * yet expired) is handed to the worker again. Its lease keeps it from being sent
 * twice; the job key keeps it from being queued twice.
 */
export async function requeueStranded(now = new Date()): Promise<number> {
  const stranded = await db
    .select({ id: messages.id })
    .from(messages)
    .where(
      and(
        eq(messages.direction, "outbound"),
        eq(messages.status, "queued"),
        sql`coalesce(${messages.nextAttemptAt}, ${messages.statusAt}) < ${new Date(now.getTime() - 60_000).toISOString()}::timestamptz`,
        sql`(${messages.sendingUntil} is null or ${messages.sendingUntil} < ${now.toISOString()}::timestamptz)`,
        sql`not exists (select 1 from graphile_worker.jobs j
                        where j.key = 'sms:' || ${messages.id}::text and j.locked_at is null)`,
      ),
    )
    .limit(500);
  if (stranded.length === 0) return 0;
  await db.transaction(async (tx) => {
    for (const { id } of stranded) await queueSend(tx, id);
  });
  return stranded.length;
}

/** The admin banner: replies waiting on the provider, and since when. */
export async function outboxBacklog(): Promise<{ waiting: number; since: Date | null }> {
  const [row] = await db
    .select({ waiting: sql<number>`count(*)::int`, since: sql<string | null>`min(${messages.waitingSince})` })
    .from(messages)
    .where(
      and(eq(messages.direction, "outbound"), eq(messages.status, "queued"), sql`${messages.waitingSince} is not null`),
    );
  return { waiting: row?.waiting ?? 0, since: row?.since ? new Date(row.since) : null };
}
