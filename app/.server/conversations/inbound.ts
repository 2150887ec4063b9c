import { createHash } from "node:crypto";
import { eq, inArray, sql } from "drizzle-orm";
import { countSegments } from "~/lib/segments";
import { db } from "../platform/db/client";
import type { Db } from "../platform/db/connect";
import { conversations, messages, users } from "../platform/db/schema";
import { publish } from "../platform/event-bus";
import { noteNumberTexted } from "../sms/numbers";
import { consentKeyword } from "./consent";
import type { InboundSms } from "./provider-events";

/**
 * A check that commits with the change or not at all, e.g. recording a signed
 * webhook's one-time nonce: false means the request was a replay.
 */
export type ReplayGuard = (tx: Db) => Promise<boolean>;

/** The replay guard refused: nothing was stored. */
export type Replayed = { status: "replayed" };

export type Received = { status: "stored"; id: string; conversationId: string } | { status: "duplicate" } | Replayed;

/**
 * Stores an inbound SMS exactly once, whoever sent it: numbers nobody has
 * verified form unclaimed conversations that agents see. Resolves only after
 * commit, so a 2xx built on it never acknowledges a lost message. A signed
 * webhook's replay guard commits with the message or not at all.
 */
export async function receiveInbound(sms: InboundSms, guard?: ReplayGuard): Promise<Received> {
  const receivedAt = new Date();
  const [providerMessageId, ...earlierIds] = redeliveryIds(sms, receivedAt);
  const received = await db.transaction(async (tx): Promise<Received> => {
    // Before the conversation's row lock, so a replay holds up no one and waits only for its original.
    if (guard && !(await guard(tx))) return { status: "replayed" };
    await noteNumberTexted(tx, sms.to);
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
      // Otherwise a no-op update, only for the row lock and RETURNING. Ownership is never
      // rewritten here: claiming and removing a number own it, and a value read
      // from this statement's snapshot could undo a removal committed meanwhile.
      // Reopening is the one real change: a contact writing again needs the team again.
      .onConflictDoUpdate({
        target: [conversations.contactNumber, conversations.virtualNumber],
        set: { contactNumber: sql`excluded.contact_number`, resolvedAt: null },
      })
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
  if (received.status === "stored")
    publish({ kind: "message", conversationId: received.conversationId, messageId: received.id });
  return received;
}

// Without a provider id or timestamp (the tutorial's Flow Builder JSON) a
// redelivery looks exactly like the same text sent again, so identical texts
// are treated as one within 10-20 minutes: long enough for MessageBird's
// retries, short enough that a later "yes" is a new message. See
// docs/decisions/001-deduplicating-inbound-sms-without-an-id.md.
const DEDUPE_WINDOW_MS = 10 * 60_000;

/** The id to store first, then ids under which an earlier delivery may already be stored. */
function redeliveryIds(sms: InboundSms, receivedAt: Date): [string, ...string[]] {
  if (sms.providerMessageId) return [sms.providerMessageId];
  const derived = (when: string) =>
    `derived:${createHash("sha256")
      .update(JSON.stringify([sms.from, sms.to, sms.body, when]))
      .digest("hex")}`;
  if (sms.sentAt) return [derived(sms.sentAt)];
  const window = Math.floor(receivedAt.getTime() / DEDUPE_WINDOW_MS);
  return [derived(`window:${window}`), derived(`window:${window - 1}`)];
}
