import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { db } from "~/.server/platform/db/client";
import { conversations, messages, savedReplies, users } from "~/.server/platform/db/schema";
import { defaultSender } from "~/.server/sms/numbers";
import { sessionCookie } from "./session";

/**
 * Rows as the app would have written them, without going through its forms:
 * people, the conversations they text in, and the messages in them.
 */

let phoneSequence = 0;
/**
 * A valid Dutch mobile number no other call in this process returned, so tests
 * share no owners or rate limits. Ends in 1: never a simulator failure scenario.
 */
export const freshPhone = () => `+316${2_000_000 + ++phoneSequence}1`;

export type TestUser = { id: string; email: string; cookie: string };

/** A user row plus the session cookie a browser would hold after they signed in. A `phone` is verified. */
export async function createUser({
  role = "member",
  phone,
  name,
  email = `${role}-${randomUUID()}@example.com`,
}: { role?: "member" | "agent" | "admin"; phone?: string; name?: string; email?: string } = {}): Promise<TestUser> {
  const [user] = await db
    .insert(users)
    .values({ email, name, role, phoneNumber: phone, phoneVerifiedAt: phone ? new Date() : null })
    .returning({ id: users.id });
  return { id: user!.id, email, cookie: await sessionCookie(user!.id) };
}

export type Conversation = typeof conversations.$inferSelect;

/** A conversation with `contact` on our service number; unclaimed unless `userId` says whose it is. */
export async function createConversation({
  contact = freshPhone(),
  userId = null,
  optedOut = false,
  ourNumber = defaultSender(),
}: { contact?: string; userId?: string | null; optedOut?: boolean; ourNumber?: string } = {}): Promise<Conversation> {
  const [conversation] = await db
    .insert(conversations)
    .values({ contactNumber: contact, virtualNumber: ourNumber, userId, optedOutAt: optedOut ? new Date() : null })
    .returning();
  return conversation!;
}

type MessageFields = Partial<Omit<typeof messages.$inferInsert, "conversationId" | "fromNumber" | "toNumber">>;

/**
 * Messages in a conversation, in one insert: inbound ones from the contact
 * (received), outbound ones to them (sent), unless `fields` say otherwise.
 * The conversation's last activity moves on as the app's own writes move it.
 */
export async function createMessages(conversation: Conversation, fields: MessageFields[]) {
  const rows = await db
    .insert(messages)
    .values(
      fields.map(({ direction = "inbound", body = "Hello", ...rest }) => ({
        conversationId: conversation.id,
        direction,
        body,
        fromNumber: direction === "inbound" ? conversation.contactNumber : conversation.virtualNumber,
        toNumber: direction === "inbound" ? conversation.virtualNumber : conversation.contactNumber,
        status: direction === "inbound" ? ("received" as const) : ("sent" as const),
        ...rest,
      })),
    )
    .returning();
  const latest = new Date(Math.max(...rows.map((row) => row.createdAt.getTime())));
  await db
    .update(conversations)
    .set({ lastMessageAt: sql`greatest(${conversations.lastMessageAt}, ${latest.toISOString()}::timestamptz)` })
    .where(eq(conversations.id, conversation.id));
  return rows;
}

export const createMessage = async (conversation: Conversation, fields: MessageFields = {}) =>
  (await createMessages(conversation, [fields]))[0]!;

/** A saved reply of the team's, written by `author`. */
export async function createSavedReply(author: { id: string }, { title = "Hello", body = "Hi {name}" } = {}) {
  const [reply] = await db.insert(savedReplies).values({ title, body, createdById: author.id }).returning();
  return reply!;
}
