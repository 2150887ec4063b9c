import { and, desc, eq, inArray, lt, sql } from "drizzle-orm";
import { db } from "../platform/db/client";
import type { Db } from "../platform/db/connect";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "../platform/db/schema";
import { env } from "../platform/env";
import { enqueue } from "../platform/jobs";
import { log } from "../platform/log";
import { retryDelayMs } from "../sms/retry-delay";
import { signingSecrets } from "./endpoints";
import { DELIVER_WEBHOOK_TASK, deliveryJobKey } from "./events";
import { postJson, type Answer } from "./post";
import { signedHeaders } from "./signing";

/**
 * Each attempt at a delivery is a job of the one queue. 2xx is success. Anything else (another
 * status, no answer, a refused address) is retried with the outbox's backoff, `Retry-After`
 * honoured up to an hour, until a day has passed since the event (or the admin's Resend); then
 * the delivery has failed. An endpoint that has failed without a single success for three days
 * is turned off, and so is one that answers 410 Gone: the receiver saying it is gone for good
 * (docs/decisions/014-outgoing-webhooks.md).
 */

const RETRY_WINDOW_MS = 24 * 3_600_000;
const MAX_RETRY_DELAY_MS = 3_600_000;
const DISABLE_AFTER_MS = 3 * 86_400_000;
/** Longer than an attempt's deadline, so a second job for the delivery never posts at the same time. */
const ATTEMPT_LEASE_MS = 60_000;
/** Characters of an answer kept in the log: enough to read an error, not a page. */
export const EXCERPT_CHARS = 500;
/** Deliveries (and their attempts) kept this long once finished. */
const KEEP_DELIVERIES_MS = 30 * 86_400_000;

function queueAttempt(tx: Db, deliveryId: string, runAt?: Date) {
  return enqueue(tx, DELIVER_WEBHOOK_TASK, { deliveryId }, { key: deliveryJobKey(deliveryId), runAt });
}

type Claimed = {
  id: string;
  body: string;
  attempts: number;
  retrySince: Date;
  endpointId: string;
  url: string;
  active: boolean;
  sealedSecret: string;
  previousSealedSecret: string | null;
  previousSecretUntil: Date | null;
};

/** One attempt at one delivery: the worker's task. Throws only on a bug or a lost database. */
export async function attemptDelivery(deliveryId: string, now = new Date()): Promise<void> {
  const claimed = await claim(deliveryId, now);
  if (!claimed) return;
  if (!claimed.active) {
    await db
      .update(webhookDeliveries)
      .set({ status: "failed", nextAttemptAt: null, sendingUntil: null })
      .where(eq(webhookDeliveries.id, claimed.id));
    return;
  }
  const started = Date.now();
  const secrets = signingSecrets(claimed, now);
  const answer: Answer =
    secrets.length === 0
      ? {
          kind: "no-answer",
          error: "Not sent: the signing secret cannot be read (AUTH_SECRET changed): make a new one.",
        }
      : await postJson(
          new URL(claimed.url),
          signedHeaders(claimed.id, secrets, claimed.body, now),
          claimed.body,
          env.outgoingWebhooks,
        );
  const finished = new Date(now.getTime() + Date.now() - started);
  await record(claimed, answer, now, finished);
}

async function claim(deliveryId: string, now: Date): Promise<Claimed | undefined> {
  const rows = (await db.execute(sql`
    update ${webhookDeliveries} d set attempts = d.attempts + 1,
      sending_until = ${new Date(now.getTime() + ATTEMPT_LEASE_MS).toISOString()}::timestamptz
    from ${webhookEndpoints} e
    where d.id = ${deliveryId} and e.id = d.endpoint_id and d.status = 'pending'
      and (d.sending_until is null or d.sending_until < ${now.toISOString()}::timestamptz)
    returning d.id, d.body, d.attempts, d.retry_since as "retrySince", d.endpoint_id as "endpointId", e.url, e.active,
      e.sealed_secret as "sealedSecret", e.previous_sealed_secret as "previousSealedSecret",
      e.previous_secret_until as "previousSecretUntil"`)) as unknown as Claimed[];
  const [row] = rows;
  return (
    row && {
      ...row,
      retrySince: new Date(row.retrySince),
      previousSecretUntil: row.previousSecretUntil && new Date(row.previousSecretUntil),
    }
  );
}

const succeeded = (answer: Answer) => answer.kind === "answered" && answer.statusCode >= 200 && answer.statusCode < 300;
const isGone = (answer: Answer) => answer.kind === "answered" && answer.statusCode === 410;

/** The attempt's line in the log, the delivery's next step, and the endpoint's health, in one transaction. */
async function record(claimed: Claimed, answer: Answer, startedAt: Date, finished: Date) {
  const ok = succeeded(answer);
  const delay = retryDelayMs(claimed.attempts, {
    maxDelayMs: MAX_RETRY_DELAY_MS,
    retryAfterMs:
      answer.kind === "answered" && answer.retryAfterMs !== null
        ? Math.min(answer.retryAfterMs, MAX_RETRY_DELAY_MS)
        : null,
  });
  const nextAttemptAt = new Date(finished.getTime() + delay);
  const retry = !ok && !isGone(answer) && nextAttemptAt.getTime() <= claimed.retrySince.getTime() + RETRY_WINDOW_MS;
  await db.transaction(async (tx) => {
    await tx.insert(webhookAttempts).values({
      deliveryId: claimed.id,
      startedAt,
      durationMs: finished.getTime() - startedAt.getTime(),
      statusCode: answer.kind === "answered" ? answer.statusCode : null,
      error: answer.kind === "no-answer" ? answer.error.slice(0, EXCERPT_CHARS) : null,
      responseExcerpt: answer.kind === "answered" ? answer.excerpt.slice(0, EXCERPT_CHARS) : null,
    });
    await tx
      .update(webhookDeliveries)
      .set({
        status: ok ? "succeeded" : retry ? "pending" : "failed",
        nextAttemptAt: retry ? nextAttemptAt : null,
        sendingUntil: null,
      })
      .where(eq(webhookDeliveries.id, claimed.id));
    if (retry) await queueAttempt(tx, claimed.id, nextAttemptAt);
    await endpointHealth(tx, claimed.endpointId, answer, finished);
  });
  if (!ok) log.info("webhook delivery failed", { deliveryId: claimed.id, attempt: claimed.attempts, retry });
}

/**
 * A success ends a run of failures. A failure starts one, or, three days into it, turns the
 * endpoint off with the reason admins read on /settings/webhooks.
 */
async function endpointHealth(tx: Db, endpointId: string, answer: Answer, at: Date) {
  if (succeeded(answer)) {
    await tx.update(webhookEndpoints).set({ failingSince: null }).where(eq(webhookEndpoints.id, endpointId));
    return;
  }
  const since = sql`coalesce(${webhookEndpoints.failingSince}, ${at.toISOString()}::timestamptz)`;
  const [disable, reason] = isGone(answer)
    ? [sql`true`, "it answered 410 Gone, which means the receiver is gone for good."]
    : [
        sql`${since} <= ${new Date(at.getTime() - DISABLE_AFTER_MS).toISOString()}::timestamptz`,
        `every delivery failed for 3 days (last: ${answer.kind === "answered" ? `HTTP ${answer.statusCode}` : answer.error}).`,
      ];
  const turnsOff = sql`${webhookEndpoints.active} and ${disable}`;
  await tx
    .update(webhookEndpoints)
    .set({
      failingSince: since,
      active: sql`${webhookEndpoints.active} and not (${disable})`,
      disabledReason: sql`case when ${turnsOff} then ${`Turned off by Birdline: ${reason}`}::text else ${webhookEndpoints.disabledReason} end`,
      disabledAt: sql`case when ${turnsOff} then ${at.toISOString()}::timestamptz else ${webhookEndpoints.disabledAt} end`,
    })
    .where(eq(webhookEndpoints.id, endpointId));
}

export type ResendOutcome = { ok: true } | { ok: false; message: string };

/** Posts a delivery again now, with its own id, and a fresh day of retries. */
export async function resendDelivery(
  endpointId: string,
  deliveryId: string,
  now = new Date(),
): Promise<ResendOutcome | null> {
  return db.transaction(async (tx) => {
    const [endpoint] = await tx
      .select({ active: webhookEndpoints.active })
      .from(webhookEndpoints)
      .innerJoin(webhookDeliveries, eq(webhookDeliveries.endpointId, webhookEndpoints.id))
      .where(and(eq(webhookEndpoints.id, endpointId), eq(webhookDeliveries.id, deliveryId)));
    if (!endpoint) return null;
    if (!endpoint.active)
      return { ok: false, message: "Turn the endpoint on first: an endpoint that is off gets nothing." };
    const [moved] = await tx
      .update(webhookDeliveries)
      .set({ status: "pending", retrySince: now, nextAttemptAt: now })
      .where(
        and(
          eq(webhookDeliveries.id, deliveryId),
          sql`(${webhookDeliveries.sendingUntil} is null or ${webhookDeliveries.sendingUntil} < ${now.toISOString()}::timestamptz)`,
        ),
      )
      .returning({ id: webhookDeliveries.id });
    if (!moved) return { ok: false, message: "This delivery is being posted right now." };
    await queueAttempt(tx, deliveryId, now);
    return { ok: true };
  });
}

/** The endpoint page's log: its latest deliveries, each with its attempts, newest first. */
export async function recentDeliveries(endpointId: string, limit = 50) {
  const deliveries = await db
    .select({
      id: webhookDeliveries.id,
      eventType: webhookDeliveries.eventType,
      status: webhookDeliveries.status,
      nextAttemptAt: webhookDeliveries.nextAttemptAt,
      createdAt: webhookDeliveries.createdAt,
    })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.endpointId, endpointId))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit);
  if (deliveries.length === 0) return [];
  const attempts = await db
    .select({
      deliveryId: webhookAttempts.deliveryId,
      id: webhookAttempts.id,
      startedAt: webhookAttempts.startedAt,
      durationMs: webhookAttempts.durationMs,
      statusCode: webhookAttempts.statusCode,
      error: webhookAttempts.error,
      responseExcerpt: webhookAttempts.responseExcerpt,
    })
    .from(webhookAttempts)
    .where(
      inArray(
        webhookAttempts.deliveryId,
        deliveries.map((delivery) => delivery.id),
      ),
    )
    .orderBy(desc(webhookAttempts.startedAt), desc(webhookAttempts.id));
  return deliveries.map((delivery) => ({
    ...delivery,
    attempts: attempts.filter((attempt) => attempt.deliveryId === delivery.id),
  }));
}

/** Housekeeping: finished deliveries older than a month go, with their attempts. */
export async function purgeDeliveries(now = new Date()): Promise<void> {
  await db
    .delete(webhookDeliveries)
    .where(
      and(
        lt(webhookDeliveries.createdAt, new Date(now.getTime() - KEEP_DELIVERIES_MS)),
        sql`${webhookDeliveries.status} <> 'pending'`,
      ),
    );
}
