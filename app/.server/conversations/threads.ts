import { and, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { isStaff } from "~/lib/roles";
import type { Viewer } from "./access";
import { db } from "../platform/db/client";
import { conversationReads, messages, users } from "../platform/db/schema";
import { isUuid } from "../platform/db/uuid";
import { accountName } from "../identity/names";

/** Reading a conversation: one thread page at a time, who wrote each message, and what is unread. Who may see which is access.ts's. */

/**
 * A condition on `messages`: what `viewer` has not read yet, after `lastReadAt`
 * (their read mark, null when never opened). Staff read what the contact
 * sends; a member reads what the team sends them.
 */
export function unreadIn(viewer: Viewer, lastReadAt: SQL | AnyPgColumn): SQL {
  const after = sql`${messages.createdAt} > coalesce(${lastReadAt}, '-infinity'::timestamptz)`;
  return isStaff(viewer)
    ? sql`${messages.direction} = 'inbound' and ${after}`
    : sql`${messages.direction} = 'outbound' and ${messages.authorUserId} is distinct from ${viewer.id} and ${after}`;
}

export type ThreadMessage = Pick<
  typeof messages.$inferSelect,
  | "id"
  | "direction"
  | "body"
  | "status"
  | "errorMessage"
  | "nextAttemptAt"
  | "createdAt"
  | "statusAt"
  | "segments"
  | "author"
  | "authorUserId"
> & { authorName: string | null };

/**
 * Who wrote a message, as `viewer` may read it: the team's names are for the
 * team; a member sees "Support" for anyone but themselves. Null for the
 * contact's own SMS (their side of the thread says it).
 */
export function authorLabel(viewer: Viewer, message: Pick<ThreadMessage, "author" | "authorUserId" | "authorName">) {
  if (message.author === "user") {
    if (message.authorUserId === viewer.id) return "You";
    if (!isStaff(viewer)) return "Support";
  }
  return teamAuthorLabel(message);
}

/** Who wrote a message as the team reads it, nobody's "You": the thread for staff, and the export. */
export function teamAuthorLabel(message: Pick<ThreadMessage, "author" | "authorName">) {
  switch (message.author) {
    case "contact":
      return null;
    case "verification-code":
      return "Verification code";
    case "system":
      // The number's automatic answers (away message, HELP): never mistaken for a person's reply.
      return "Auto-reply";
    case "user":
      return message.authorName ?? "Deleted account";
  }
}

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
  /**
   * The stretch of time the page covers, [from, until): null is open-ended. Pages
   * tile the thread, so anything else shown in time order (internal notes)
   * lands on exactly one of them.
   */
  span: { from: Date | null; until: Date | null };
};

/** A condition on a time column: within the page's span (see `ThreadPage.span`). */
export const withinSpan = (column: AnyPgColumn, span: ThreadPage["span"]) =>
  and(span.from ? gte(column, span.from) : undefined, span.until ? lt(column, span.until) : undefined);

/** A thread message's columns, with its author's name (as the team reads it: users joined on authorUserId). */
export const threadColumns = {
  id: messages.id,
  direction: messages.direction,
  body: messages.body,
  status: messages.status,
  errorMessage: messages.errorMessage,
  nextAttemptAt: messages.nextAttemptAt,
  createdAt: messages.createdAt,
  statusAt: messages.statusAt,
  segments: messages.segments,
  author: messages.author,
  authorUserId: messages.authorUserId,
  authorName: accountName,
};

/**
 * One page of a thread, newest PAGE_SIZE messages before `before` (or the
 * newest overall). A keyset query on the (conversationId, createdAt, id)
 * index: page 1 and page 2,000 cost the same.
 */
export async function threadPage(conversationId: string, before?: string | null): Promise<ThreadPage> {
  const cursor = before ? decodeCursor(before) : null;
  const rows = await db
    .select(threadColumns)
    .from(messages)
    .leftJoin(users, eq(users.id, messages.authorUserId))
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
  const page = rows.slice(0, PAGE_SIZE).reverse();
  const older = rows.length > PAGE_SIZE ? page[0]! : null;
  return {
    messages: page,
    older: older ? encodeCursor(older) : null,
    span: { from: older?.createdAt ?? null, until: cursor?.createdAt ?? null },
  };
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
