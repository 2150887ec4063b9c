import { and, eq, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import { countSegments, MAX_SEGMENTS } from "~/lib/segments";
import { db } from "../platform/db/client";
import { conversations, messages } from "../platform/db/schema";
import { acceptedStatus } from "./delivery-status";
import { publish } from "../platform/event-bus";
import { REPLIES_PER_CONVERSATION, REPLIES_PER_SENDER_PER_HOUR, REPLIES_PER_SENDER_PER_MINUTE } from "./reply-limits";
import { log } from "../platform/log";
import { retryMessage, takeLimits } from "../platform/rate-limit";
import { smsGateway, SmsSendError } from "../sms/gateway";
import type { Conversation } from "./access";

/**
 * Replies, persist-first: the typed text is stored as
 * `queued` before the provider is called, so it is never lost, and the form's
 * idempotency key makes a second submission return the first row instead of
 * sending again.
 */

export type Outbound = typeof messages.$inferSelect;

export type SendFailure =
  | { ok: false; reason: "opted-out" | "too-long" | "empty" | "not-failed" | "key-reused"; message: string }
  | { ok: false; reason: "rate-limited"; message: string; retryAfterSeconds: number };

export type SendResult = { ok: true; message: Outbound; duplicate: boolean } | SendFailure;

export async function sendReply({
  conversation,
  authorId,
  body,
  idempotencyKey,
  takeIfUnassigned = false,
}: {
  conversation: Conversation;
  authorId: string;
  /** A team member's reply: an unassigned conversation becomes theirs. */
  takeIfUnassigned?: boolean;
  body: string;
  idempotencyKey: string;
}): Promise<SendResult> {
  if (body.trim() === "") return { ok: false, reason: "empty", message: "Type a message first." };
  const { segments } = countSegments(body);
  if (segments > MAX_SEGMENTS) {
    return {
      ok: false,
      reason: "too-long",
      message: `That is ${segments} SMS; the limit is ${MAX_SEGMENTS}. Shorten it a little.`,
    };
  }
  if (conversation.optedOutAt) return optedOut();
  // A resubmitted form answers before counting: only a new SMS spends the limits.
  const earlier = await sentWithKey(idempotencyKey, conversation.id);
  if (earlier) return earlier;
  const limited = await countSend(authorId, conversation.id);
  if (limited) return limited;

  const now = new Date();
  const [queued] = await db
    .insert(messages)
    .values({
      conversationId: conversation.id,
      direction: "outbound",
      body,
      fromNumber: conversation.virtualNumber,
      toNumber: conversation.contactNumber,
      status: "queued",
      idempotencyKey,
      author: "user",
      authorUserId: authorId,
      segments,
      createdAt: now,
      statusAt: now,
    })
    .onConflictDoNothing({ target: messages.idempotencyKey })
    .returning();
  // Submitted twice at once (a double click): the other submission stored it first.
  if (!queued) return (await sentWithKey(idempotencyKey, conversation.id))!;
  await db
    .update(conversations)
    .set({
      lastMessageAt: sql`greatest(${conversations.lastMessageAt}, ${now.toISOString()}::timestamptz)`,
      ...(takeIfUnassigned && { assigneeId: sql`coalesce(${conversations.assigneeId}, ${authorId})` }),
    })
    .where(eq(conversations.id, conversation.id));
  publish({ kind: "message", conversationId: conversation.id, messageId: queued.id });
  return { ok: true, message: await deliver(queued), duplicate: false };
}

/**
 * The answer for a form already sent (double click, resubmitted POST): its
 * first reply. A key already used in another conversation is no form of ours
 * for this one (a page's key edited into another's form): refused, not guessed at.
 */
async function sentWithKey(idempotencyKey: string, conversationId: string): Promise<SendResult | null> {
  const [first] = await db.select().from(messages).where(eq(messages.idempotencyKey, idempotencyKey));
  if (!first) return null;
  if (first.conversationId === conversationId) return { ok: true, message: first, duplicate: true };
  return {
    ok: false,
    reason: "key-reused",
    message: "This form was already used to send in another conversation. Reload the page and send again.",
  };
}

/** Sends a failed reply again, reusing its row (and so its place in the thread). */
export async function retryReply({
  conversation,
  messageId,
  senderId,
}: {
  conversation: Conversation;
  messageId: string;
  /** Who pressed Retry: the send counts against their limits. */
  senderId: string;
}): Promise<SendResult> {
  if (conversation.optedOutAt) return optedOut();
  const limited = await countSend(senderId, conversation.id);
  if (limited) return limited;
  const [requeued] = await db
    .update(messages)
    .set({ status: "queued", errorCode: null, errorMessage: null, statusAt: new Date() })
    .where(
      and(
        eq(messages.id, messageId),
        eq(messages.conversationId, conversation.id),
        eq(messages.direction, "outbound"),
        eq(messages.status, "failed"),
      ),
    )
    .returning();
  if (!requeued) return { ok: false, reason: "not-failed", message: "This message is not waiting for a retry." };
  publish({ kind: "status", conversationId: conversation.id, messageId });
  return { ok: true, message: await deliver(requeued), duplicate: false };
}

/** Counts one SMS against the reply limits before the provider is called; a refusal says how long to wait. */
async function countSend(senderId: string, conversationId: string): Promise<SendFailure | null> {
  const refused = await takeLimits([
    [REPLIES_PER_SENDER_PER_MINUTE, senderId],
    [REPLIES_PER_SENDER_PER_HOUR, senderId],
    [REPLIES_PER_CONVERSATION, conversationId],
  ]);
  if (!refused) return null;
  return {
    ok: false,
    reason: "rate-limited",
    message: retryMessage(refused, "replies in a short time"),
    retryAfterSeconds: refused.retryAfterSeconds,
  };
}

function optedOut(): SendFailure {
  return {
    ok: false,
    reason: "opted-out",
    message: "This number has opted out by texting STOP. Replies are blocked until they text START.",
  };
}

async function deliver(message: Outbound): Promise<Outbound> {
  let update: PgUpdateSetSource<typeof messages>;
  try {
    const gateway = await smsGateway();
    const { providerMessageId } = await gateway.send({
      from: message.fromNumber,
      to: message.toNumber,
      body: message.body,
      reference: message.id,
    });
    update = { providerMessageId, status: acceptedStatus() };
  } catch (error) {
    if (!(error instanceof SmsSendError)) throw error;
    log.warn("reply not sent", { messageId: message.id, retryable: error.retryable, providerCode: error.providerCode });
    // No HTTP answer at all (timeout, dropped connection): MessageBird may have
    // accepted the SMS anyway. Marking it failed would invite a Retry that sends
    // it twice, so it stays queued until a delivery report or the sweep decides.
    if (error.statusCode === null) {
      publish({ kind: "status", conversationId: message.conversationId, messageId: message.id });
      return message;
    }
    update = { status: "failed", errorMessage: error.reason, errorCode: error.providerCode };
  }
  const [current] = await db
    .update(messages)
    .set({ ...update, statusAt: new Date() })
    .where(eq(messages.id, message.id))
    .returning();
  publish({ kind: "status", conversationId: message.conversationId, messageId: message.id });
  return current!;
}
