import { and, eq, gt, isNull, sql } from "drizzle-orm";
import { retryDelayMs } from "../sms/retry-delay";
import { db } from "../platform/db/client";
import type { Db } from "../platform/db/connect";
import { phoneVerifications } from "../platform/db/schema";
import { env } from "../platform/env";
import { enqueue } from "../platform/jobs";
import { log } from "../platform/log";
import { open, seal } from "../platform/secret-box";
import { smsGateway, SmsSendError } from "../sms/gateway";
import { defaultSender } from "../sms/numbers";

/**
 * Verification codes through the outbox. The SMS is written (sealed: it holds
 * the code) with its job before anything is sent; the request then makes the
 * first attempt itself, because the person is waiting on the page for the
 * code or for the reason it cannot be sent. A transient failure is retried by
 * the worker until the code expires; the same lease as replies keeps two
 * attempts from running at once.
 */

export const SEND_CODE_TASK = "send_code";
const ATTEMPT_LEASE_MS = 60_000;

export type CodeSendOutcome =
  | { status: "sent" }
  | { status: "failed"; reason: string }
  /** The provider turned it away for now; the worker keeps trying while the code is valid. */
  | { status: "waiting"; reason: string };

/** The columns of a new code's row that hold its SMS until it went out. */
export const codeSmsFields = (text: string) => ({ sealedText: seal(text), sendStatus: "queued" as const });

/**
 * The code's job, in the transaction that writes the code: a safety net, since the
 * request attempts at once and this runs only if it could not finish.
 */
export const queueCodeSms = (tx: Db, verificationId: string) =>
  queueAttempt(tx, verificationId, new Date(Date.now() + ATTEMPT_LEASE_MS));

const queueAttempt = (tx: Db, verificationId: string, runAt: Date) =>
  enqueue(tx, SEND_CODE_TASK, { verificationId }, { key: `code:${verificationId}`, runAt });

/** One attempt at a code's SMS (the request's first, or the worker's retries). */
export async function attemptCodeSms(verificationId: string, now = new Date()): Promise<CodeSendOutcome | null> {
  const [claimed] = await db
    .update(phoneVerifications)
    .set({
      sendAttempts: sql`${phoneVerifications.sendAttempts} + 1`,
      sendingUntil: new Date(now.getTime() + ATTEMPT_LEASE_MS),
    })
    .where(
      and(
        eq(phoneVerifications.id, verificationId),
        eq(phoneVerifications.sendStatus, "queued"),
        isNull(phoneVerifications.consumedAt),
        gt(phoneVerifications.expiresAt, now),
        sql`(${phoneVerifications.sendingUntil} is null or ${phoneVerifications.sendingUntil} < ${now.toISOString()}::timestamptz)`,
      ),
    )
    .returning();
  if (!claimed) return null;
  const text = claimed.sealedText && open(claimed.sealedText);
  const settle = (fields: Partial<typeof phoneVerifications.$inferInsert>) =>
    db
      .update(phoneVerifications)
      .set({ sendingUntil: null, ...fields })
      .where(eq(phoneVerifications.id, verificationId));
  if (!text) {
    // AUTH_SECRET changed since it was written: the code cannot be read back, a new one must be asked for.
    await settle({ sendStatus: "failed", sealedText: null, sendError: "Request a new code." });
    return { status: "failed", reason: "Request a new code." };
  }
  try {
    const gateway = await smsGateway();
    await gateway.send({ from: defaultSender(), to: claimed.phoneNumber, body: text });
    await settle({ sendStatus: "sent", sealedText: null, sendError: null });
    log.info("verification code sent", { userId: claimed.userId, verificationId });
    return { status: "sent" };
  } catch (error) {
    if (!(error instanceof SmsSendError)) throw error;
    log.warn("verification code not sent", {
      userId: claimed.userId,
      kind: error.kind,
      attempt: claimed.sendAttempts,
      providerCode: error.providerCode,
    });
    const retryAt = new Date(
      now.getTime() +
        retryDelayMs(claimed.sendAttempts, {
          maxDelayMs: env.outbox.maxRetryDelayMs,
          retryAfterMs: error.retryAfterMs,
        }),
    );
    // A code is worth sending only while it can still be entered.
    if (error.kind === "permanent" || retryAt >= claimed.expiresAt) {
      await settle({ sendStatus: "failed", sealedText: null, sendError: error.reason });
      return { status: "failed", reason: error.reason };
    }
    await db.transaction(async (tx) => {
      await tx
        .update(phoneVerifications)
        .set({ sendingUntil: null, sendError: error.reason })
        .where(eq(phoneVerifications.id, verificationId));
      await queueAttempt(tx, verificationId, retryAt);
    });
    return { status: "waiting", reason: error.reason };
  }
}
