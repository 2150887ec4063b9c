import { and, eq, isNotNull, isNull, sql } from "drizzle-orm";
import { db } from "../platform/db/client";
import { conversations, users } from "../platform/db/schema";
import { publish } from "../platform/event-bus";
import { activeStaff } from "./access";
import { accountName } from "../identity/names";
import { recordEvent } from "./events";
import type { Db } from "../platform/db/connect";

/**
 * Who handles a conversation, and whether it still needs handling. Only
 * agents and admins may be assignees; callers check that the acting user is
 * staff (requireRole) and may see the conversation (access.ts).
 */

export type Assignee = { id: string; name: string };

/** Everyone a conversation may be assigned to, by name. */
export async function assignableUsers(): Promise<Assignee[]> {
  return db
    .select({ id: users.id, name: sql<string>`coalesce(${accountName}, 'Someone')` })
    .from(users)
    .where(activeStaff())
    .orderBy(sql`lower(${accountName})`, users.id);
}

// The team's open lists and threads show who handles what: each change refreshes them.
export const handlingChanged = (conversationId: string) =>
  publish({ kind: "handling", conversationId, messageId: crypto.randomUUID() });

/** Who made a change: a person (their id), or an automation (`actorUserId` null, `via` names it). */
export type Actor = { actorUserId: string | null; via?: string };

/**
 * Assigns to `assigneeId` (null: nobody). False when that id is no active agent or admin; nothing
 * changes then. Assigning to whoever has it already records nothing.
 */
export async function assign(conversationId: string, assigneeId: string | null, actor: Actor): Promise<boolean> {
  const changed = await db.transaction((tx) => assignWithin(tx, conversationId, assigneeId, actor));
  if (changed) handlingChanged(conversationId);
  return changed !== null;
}

/**
 * `assign` in the caller's transaction, for a caller whose choice of assignee must commit with the
 * write (round robin). Null when refused, else whether anything changed; the caller publishes
 * `handlingChanged` after its commit.
 */
export async function assignWithin(tx: Db, conversationId: string, assigneeId: string | null, actor: Actor) {
  // One statement: a role changed meanwhile cannot slip between the check and the write.
  const updated = await tx
    .update(conversations)
    .set({ assigneeId })
    .where(
      and(
        eq(conversations.id, conversationId),
        assigneeId === null
          ? undefined
          : sql`exists (select 1 from ${users} where ${users.id} = ${assigneeId} and ${activeStaff()})`,
      ),
    )
    // The subquery reads the statement's snapshot: the assignee before this update.
    .returning({
      before: sql<string | null>`(select c.assignee_id from ${conversations} c where c.id = ${conversationId})`,
    });
  const row = updated[0];
  if (!row) return null;
  if (row.before !== assigneeId)
    await recordEvent(tx, { conversationId, kind: assigneeId ? "assigned" : "unassigned", assigneeId, ...actor });
  return row.before !== assigneeId;
}

export async function resolve(conversationId: string, actor: Actor): Promise<void> {
  await setResolved(conversationId, true, actor);
}

export async function reopen(conversationId: string, actor: Actor): Promise<void> {
  await setResolved(conversationId, false, actor);
}

async function setResolved(conversationId: string, resolved: boolean, actor: Actor) {
  const changed = await db.transaction(async (tx) => {
    const updated = await tx
      .update(conversations)
      .set({ resolvedAt: resolved ? sql`now()` : null })
      .where(
        and(
          eq(conversations.id, conversationId),
          resolved ? isNull(conversations.resolvedAt) : isNotNull(conversations.resolvedAt),
        ),
      )
      .returning({ id: conversations.id });
    if (updated.length > 0)
      await recordEvent(tx, { conversationId, kind: resolved ? "resolved" : "reopened", ...actor });
    return updated.length > 0;
  });
  if (changed) handlingChanged(conversationId);
}
