import { asc, eq, sql } from "drizzle-orm";
import { fillPlaceholders, type PlaceholderValues } from "~/lib/placeholders";
import { db } from "../platform/db/client";
import { savedReplies, users } from "../platform/db/schema";
import { isUuid } from "../platform/db/uuid";
import { accountName } from "../identity/names";

/**
 * The team's saved replies: one list shared by every agent and admin (what
 * Chatwoot and Front call canned responses), so a fix to a reply helps
 * everyone. Any of them may edit or delete any reply; the creator is kept to
 * show who wrote it. Who is staff is the route's to check.
 */

export type SavedReply = { id: string; title: string; body: string; createdBy: string | null; updatedAt: Date };

export async function listSavedReplies(): Promise<SavedReply[]> {
  return db
    .select({
      id: savedReplies.id,
      title: savedReplies.title,
      body: savedReplies.body,
      createdBy: accountName,
      updatedAt: savedReplies.updatedAt,
    })
    .from(savedReplies)
    .leftJoin(users, eq(users.id, savedReplies.createdById))
    .orderBy(asc(sql`lower(${savedReplies.title})`), asc(savedReplies.id));
}

export async function createSavedReply(input: { title: string; body: string; authorId: string }): Promise<void> {
  await db.insert(savedReplies).values({ title: input.title, body: input.body, createdById: input.authorId });
}

/** False when no such reply exists (someone deleted it meanwhile): a 404 upstream. */
export async function updateSavedReply(input: { replyId: string; title: string; body: string }): Promise<boolean> {
  if (!isUuid(input.replyId)) return false;
  const updated = await db
    .update(savedReplies)
    .set({ title: input.title, body: input.body })
    .where(eq(savedReplies.id, input.replyId))
    .returning({ id: savedReplies.id });
  return updated.length > 0;
}

export async function deleteSavedReply(replyId: string): Promise<boolean> {
  if (!isUuid(replyId)) return false;
  const deleted = await db.delete(savedReplies).where(eq(savedReplies.id, replyId)).returning({ id: savedReplies.id });
  return deleted.length > 0;
}

/**
 * What the reply box offers: the replies as saved, what their placeholders
 * become in this conversation, and the filled text of `chosen`
 * (`?reply=<id>`) when it names one; anything else is ignored, like a stale link.
 */
export function savedReplyOffer(replies: SavedReply[], values: PlaceholderValues, chosen: string | null) {
  const picked = chosen ? replies.find((reply) => reply.id === chosen) : undefined;
  return {
    replies: replies.map(({ id, title, body }) => ({ id, title, body })),
    values,
    prefill: picked ? fillPlaceholders(picked.body, values) : null,
  };
}
