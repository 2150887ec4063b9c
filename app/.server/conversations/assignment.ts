import { and, eq, sql } from "drizzle-orm";
import { db } from "../platform/db/client";
import { conversations, users } from "../platform/db/schema";
import { publish } from "../platform/event-bus";
import { activeStaff } from "./access";
import { accountName } from "../identity/names";

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
const handlingChanged = (conversationId: string) =>
  publish({ kind: "handling", conversationId, messageId: crypto.randomUUID() });

/** Assigns to `assigneeId` (null: nobody). False when that id is no active agent or admin; nothing changes then. */
export async function assign(conversationId: string, assigneeId: string | null): Promise<boolean> {
  if (assigneeId === null) {
    await db.update(conversations).set({ assigneeId: null }).where(eq(conversations.id, conversationId));
    handlingChanged(conversationId);
    return true;
  }
  // One statement: a role changed meanwhile cannot slip between the check and the write.
  const updated = await db
    .update(conversations)
    .set({ assigneeId })
    .where(
      and(
        eq(conversations.id, conversationId),
        sql`exists (select 1 from ${users} where ${users.id} = ${assigneeId} and ${activeStaff()})`,
      ),
    )
    .returning({ id: conversations.id });
  if (updated.length > 0) handlingChanged(conversationId);
  return updated.length > 0;
}

export async function resolve(conversationId: string): Promise<void> {
  await db
    .update(conversations)
    .set({ resolvedAt: sql`coalesce(${conversations.resolvedAt}, now())` })
    .where(eq(conversations.id, conversationId));
  handlingChanged(conversationId);
}

export async function reopen(conversationId: string): Promise<void> {
  await db.update(conversations).set({ resolvedAt: null }).where(eq(conversations.id, conversationId));
  handlingChanged(conversationId);
}
