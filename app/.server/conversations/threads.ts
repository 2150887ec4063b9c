import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import { visibleTo, type Viewer } from "./access";
import { db } from "../platform/db/client";
import { conversationReads, conversations, messages, numbers, users } from "../platform/db/schema";
import { isUuid } from "../platform/db/uuid";

/** Reading conversations: the list with unread counts, and one thread page at a time. Who may see which is access.ts's. */

export type ConversationSummary = {
  id: string;
  contactNumber: string;
  ownerName: string | null;
  claimed: boolean;
  optedOut: boolean;
  /** Which of our numbers it is on. */
  ourNumber: { number: string; label: string | null };
  lastMessageAt: Date | null;
  lastMessage: { body: string; direction: "inbound" | "outbound" } | null;
  unread: number;
};

/** Counting stops here: "99+" says enough, and the count stays an index range scan. */
export const UNREAD_CAP = 100;

/** The conversations `viewer` may see, most recent first, with their unread counts. */
export async function listConversations(
  viewer: Viewer,
  { search, ourNumber, limit = 100 }: { search?: string; ourNumber?: string; limit?: number } = {},
): Promise<ConversationSummary[]> {
  // Each walks the thread index backwards and stops at the first row.
  const latest = <T>(column: typeof messages.body | typeof messages.direction) =>
    sql<T>`(select ${column} from ${messages} where ${messages.conversationId} = ${conversations.id}
            order by ${messages.createdAt} desc, ${messages.id} desc limit 1)`;
  const unread = sql<number>`(
    select count(*)::int from (
      select 1 from ${messages}
      where ${messages.conversationId} = ${conversations.id}
        and ${messages.direction} = 'inbound'
        and ${messages.createdAt} > coalesce(${conversationReads.lastReadAt}, '-infinity'::timestamptz)
      limit ${UNREAD_CAP}
    ) as unread_messages
  )`;
  const term = search?.trim();
  const matches: SQL | undefined = term
    ? sql`(${conversations.contactNumber} like ${containing(term.replace(/[\s()-]/g, ""))}
         or ${users.name} ilike ${containing(term)} or ${users.email} ilike ${containing(term)})`
    : undefined;

  const rows = await db
    .select({
      id: conversations.id,
      contactNumber: conversations.contactNumber,
      ownerName: sql<string | null>`coalesce(${users.name}, ${users.email})`,
      claimed: sql<boolean>`${conversations.userId} is not null`,
      optedOutAt: conversations.optedOutAt,
      ourNumber: conversations.virtualNumber,
      ourNumberLabel: numbers.label,
      lastMessageAt: conversations.lastMessageAt,
      lastBody: latest<string | null>(messages.body),
      lastDirection: latest<"inbound" | "outbound" | null>(messages.direction),
      unread,
    })
    .from(conversations)
    .leftJoin(users, eq(users.id, conversations.userId))
    .leftJoin(numbers, eq(numbers.number, conversations.virtualNumber))
    .leftJoin(
      conversationReads,
      and(eq(conversationReads.conversationId, conversations.id), eq(conversationReads.userId, viewer.id)),
    )
    .where(and(visibleTo(viewer), matches, ourNumber ? eq(conversations.virtualNumber, ourNumber) : undefined))
    .orderBy(sql`${conversations.lastMessageAt} desc nulls last`, desc(conversations.createdAt))
    .limit(limit);

  return rows.map((row) => ({
    id: row.id,
    contactNumber: row.contactNumber,
    ownerName: row.ownerName,
    claimed: row.claimed,
    optedOut: row.optedOutAt !== null,
    ourNumber: { number: row.ourNumber, label: row.ourNumberLabel },
    lastMessageAt: row.lastMessageAt,
    lastMessage:
      row.lastBody !== null && row.lastDirection ? { body: row.lastBody, direction: row.lastDirection } : null,
    unread: row.unread,
  }));
}

/** A LIKE pattern matching `text` anywhere, with LIKE's own wildcards taken literally. */
const containing = (text: string) => `%${text.replace(/[%_\\]/g, "\\$&")}%`;

export type ThreadMessage = Pick<
  typeof messages.$inferSelect,
  "id" | "direction" | "body" | "status" | "errorMessage" | "createdAt" | "statusAt" | "segments"
>;

export const PAGE_SIZE = 50;

/** A position in a thread: messages strictly older than (createdAt, id). Opaque to the browser. */
export function encodeCursor(message: Pick<ThreadMessage, "createdAt" | "id">): string {
  return Buffer.from(`${message.createdAt.toISOString()}|${message.id}`).toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } | null {
  const [at, id] = Buffer.from(cursor, "base64url").toString().split("|");
  const createdAt = new Date(at ?? "");
  return id && isUuid(id) && !Number.isNaN(createdAt.getTime()) ? { createdAt, id } : null;
}

export type ThreadPage = {
  /** Oldest first, as a thread reads. */
  messages: ThreadMessage[];
  /** Cursor for the next older page, or null at the beginning of the thread. */
  older: string | null;
};

/**
 * One page of a thread, newest PAGE_SIZE messages before `before` (or the
 * newest overall). A keyset query on the (conversationId, createdAt, id)
 * index: page 1 and page 2,000 cost the same.
 */
export async function threadPage(conversationId: string, before?: string | null): Promise<ThreadPage> {
  const cursor = before ? decodeCursor(before) : null;
  const rows = await db
    .select({
      id: messages.id,
      direction: messages.direction,
      body: messages.body,
      status: messages.status,
      errorMessage: messages.errorMessage,
      createdAt: messages.createdAt,
      statusAt: messages.statusAt,
      segments: messages.segments,
    })
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, conversationId),
        cursor
          ? sql`(${messages.createdAt}, ${messages.id}) < (${cursor.createdAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(PAGE_SIZE + 1);
  const page = rows.slice(0, PAGE_SIZE);
  return { messages: page.reverse(), older: rows.length > PAGE_SIZE ? encodeCursor(page[0]!) : null };
}

/** Everything up to now counts as read by this user. */
export async function markRead(userId: string, conversationId: string): Promise<void> {
  const now = new Date();
  await db
    .insert(conversationReads)
    .values({ userId, conversationId, lastReadAt: now })
    .onConflictDoUpdate({
      target: [conversationReads.userId, conversationReads.conversationId],
      set: { lastReadAt: sql`greatest(${conversationReads.lastReadAt}, excluded.last_read_at)` },
    });
}
