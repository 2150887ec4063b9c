import { and, asc, eq } from "drizzle-orm";
import type { Viewer } from "./access";
import { db } from "../platform/db/client";
import { notes, users } from "../platform/db/schema";
import { publish } from "../platform/event-bus";
import { isUuid } from "../platform/db/uuid";
import { authorLabel, withinSpan, type ThreadPage } from "./threads";
import { accountName } from "../identity/names";

/**
 * The team's internal notes in a thread. A table of their own, not messages:
 * nothing that sends, counts unread or feeds a member's page reads them.
 * Callers check that the viewer is staff (access.ts `seesInternal`).
 */

export type ThreadNote = { id: string; body: string; createdAt: Date; authorLabel: string; own: boolean };

/** The notes in the stretch of time one thread page covers, oldest first, with authors as `viewer` reads them. */
export async function notesWithin(viewer: Viewer, conversationId: string, span: ThreadPage["span"]) {
  const rows = await db
    .select({
      id: notes.id,
      body: notes.body,
      createdAt: notes.createdAt,
      authorUserId: notes.authorUserId,
      authorName: accountName,
    })
    .from(notes)
    .leftJoin(users, eq(users.id, notes.authorUserId))
    .where(and(eq(notes.conversationId, conversationId), withinSpan(notes.createdAt, span)))
    .orderBy(asc(notes.createdAt), asc(notes.id));
  return rows.map(({ authorUserId, authorName, ...note }): ThreadNote => ({
    ...note,
    authorLabel: authorLabel(viewer, { author: "user", authorUserId, authorName })!,
    own: authorUserId === viewer.id,
  }));
}

export async function addNote(conversationId: string, authorUserId: string, body: string): Promise<void> {
  const [note] = await db.insert(notes).values({ conversationId, authorUserId, body }).returning({ id: notes.id });
  publish({ kind: "note", conversationId, messageId: note!.id });
}

/** Deletes one of the author's own notes in this conversation; false when there is no such note (a 404 upstream). */
export async function deleteOwnNote(conversationId: string, authorUserId: string, noteId: string): Promise<boolean> {
  if (!isUuid(noteId)) return false;
  const deleted = await db
    .delete(notes)
    .where(and(eq(notes.id, noteId), eq(notes.conversationId, conversationId), eq(notes.authorUserId, authorUserId)))
    .returning({ id: notes.id });
  if (deleted.length === 0) return false;
  publish({ kind: "note", conversationId, messageId: noteId });
  return true;
}

/**
 * Messages, notes and system lines (events.ts) as one thread, in time order; at the same
 * millisecond a message comes first, then notes, then system lines.
 */
export function inTimeOrder<
  M extends { createdAt: Date },
  N extends { createdAt: Date },
  E extends { createdAt: Date },
>(messages: M[], threadNotes: N[], systemLines: E[] = []) {
  const items = [
    ...messages.map((message) => ({ type: "message" as const, ...message })),
    ...threadNotes.map((note) => ({ type: "note" as const, ...note })),
    ...systemLines.map((line) => ({ type: "system" as const, ...line })),
  ];
  // A stable sort: each list is already in order, and ties keep the order above.
  return items.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}
