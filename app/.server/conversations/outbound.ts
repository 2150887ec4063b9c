import { eq, sql } from "drizzle-orm";
import { countSegments, MAX_SEGMENTS } from "~/lib/segments";
import { db } from "../platform/db/client";
import type { Db } from "../platform/db/connect";
import { conversations, messages } from "../platform/db/schema";
import { publish } from "../platform/event-bus";
import { REPLIES_PER_CONVERSATION, REPLIES_PER_SENDER_PER_HOUR, REPLIES_PER_SENDER_PER_MINUTE } from "./reply-limits";
import { retryMessage, takeLimits } from "../platform/rate-limit";
import { queueSend, sendNow } from "./outbox";
import type { Conversation } from "./access";
import { enqueue } from "../platform/jobs";

/**
 * The job added with a stored reply in a member's conversation (payload `{ messageIds }`), in its
 * transaction: background.ts hands it on to what follows a reply (notifying that member).
 */
export const REPLY_STORED_TASK = "reply_stored";

/**
 * Replies, persist-first: the typed text is stored as `queued` with its outbox
 * job before the provider is called, so it is never lost, and the form's
 * idempotency key makes a second submission return the first row instead of
 * sending again.
 */

export type Outbound = typeof messages.$inferSelect;

export type SendFailure =
  | { ok: false; reason: "opted-out" | "too-long" | "empty" | "key-reused"; message: string }
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

  const written = await db.transaction((tx) =>
    queueOutbound(tx, {
      conversation,
      body,
      idempotencyKey,
      author: { kind: "user", userId: authorId, takeIfUnassigned },
    }),
  );
  // Submitted twice at once (a double click): the other submission stored it first.
  if (!written) return (await sentWithKey(idempotencyKey, conversation.id))!;
  publish({ kind: "message", conversationId: conversation.id, messageId: written.id });
  return { ok: true, message: written, duplicate: false };
}

/**
 * Writes one outbound SMS `queued` with its send job, in the caller's transaction: a person's reply,
 * or the app's own (`system`: away replies, answers to HELP), which no one takes the conversation by.
 * Undefined when its idempotency key was used already. The caller publishes it after commit.
 */
export async function queueOutbound(
  tx: Db,
  {
    conversation,
    body,
    idempotencyKey,
    author,
  }: {
    conversation: Pick<Conversation, "id" | "virtualNumber" | "contactNumber" | "userId">;
    body: string;
    idempotencyKey: string;
    author: { kind: "user"; userId: string; takeIfUnassigned: boolean } | { kind: "system" };
  },
): Promise<Outbound | undefined> {
  const now = new Date();
  const [queued] = await tx
    .insert(messages)
    .values({
      conversationId: conversation.id,
      direction: "outbound",
      body,
      fromNumber: conversation.virtualNumber,
      toNumber: conversation.contactNumber,
      status: "queued",
      idempotencyKey,
      author: author.kind,
      authorUserId: author.kind === "user" ? author.userId : null,
      segments: countSegments(body).segments,
      createdAt: now,
      statusAt: now,
    })
    .onConflictDoNothing({ target: messages.idempotencyKey })
    .returning();
  if (!queued) return undefined;
  const takes = author.kind === "user" && author.takeIfUnassigned;
  await tx
    .update(conversations)
    .set({
      lastMessageAt: sql`greatest(${conversations.lastMessageAt}, ${now.toISOString()}::timestamptz)`,
      ...(takes && { assigneeId: sql`coalesce(${conversations.assigneeId}, ${author.userId})` }),
    })
    .where(eq(conversations.id, conversation.id));
  // Committed with the row: the worker picks it up within milliseconds, on whichever instance is free.
  await queueSend(tx, queued.id);
  // What follows a reply is news only to the member whose conversation it is: without one, no job.
  if (conversation.userId) await enqueue(tx, REPLY_STORED_TASK, { messageIds: [queued.id] });
  return queued;
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

/** "Retry" on a failed reply, "Send now" on a waiting one: a send like any other, within the same limits. */
export async function sendAgainNow({
  conversation,
  messageId,
  senderId,
}: {
  conversation: Conversation;
  messageId: string;
  /** Who pressed the button: the send counts against their limits. */
  senderId: string;
}): Promise<{ ok: true } | SendFailure | { ok: false; reason: "under-way"; message: string }> {
  if (conversation.optedOutAt) return optedOut();
  const limited = await countSend(senderId, conversation.id);
  if (limited) return limited;
  const moved = await sendNow(conversation.id, messageId);
  return moved.ok ? moved : { ok: false, reason: "under-way", message: moved.message };
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
