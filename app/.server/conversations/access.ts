import { and, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import { isStaff, STAFF_ROLES } from "~/lib/roles";
import type { SessionUser } from "../identity/session";
import { db } from "../platform/db/client";
import type { InboxEvent } from "../platform/event-bus";
import { conversations, users } from "../platform/db/schema";
import { isUuid } from "../platform/db/uuid";

/** Agents and admins whose accounts are active: they see every conversation and may be assigned one. */
export const activeStaff = () => and(inArray(users.role, [...STAFF_ROLES]), isNull(users.deactivatedAt));

/**
 * Who may see which conversation, decided here and nowhere else: the list,
 * the thread, replies and the live feed all ask this module.
 * - Agents and admins see every conversation, unclaimed ones included.
 * - A member sees the conversations with the number they have verified now,
 *   on any of our numbers: `userId` and `contactNumber` must both match, so a
 *   conversation never outlives its owner's claim on the number (removing it
 *   hides it at once).
 * - Internal notes, contact details (name, note) and who handles a
 *   conversation (assignee, resolved) are the team's: agents and admins see
 *   them, a member never does, not even of their own number.
 * Anything else is "not found" upstream, never "forbidden".
 */

export type Viewer = Pick<SessionUser, "id" | "role" | "phoneNumber">;
export type Conversation = typeof conversations.$inferSelect;

/** A filter on `conversations` for what `viewer` may see; undefined when that is everything. */
export function visibleTo(viewer: Viewer): SQL | undefined {
  return isStaff(viewer) ? undefined : ownedBy(viewer);
}

/** A member's own conversations: theirs, and with the number they have verified now (none without one). */
const ownedBy = (viewer: Viewer) =>
  and(eq(conversations.userId, viewer.id), eq(conversations.contactNumber, viewer.phoneNumber ?? sql`null`));

/** Whether `viewer` sees the team's internal notes, contact details and who handles a conversation (assignee, resolved). */
export const seesInternal = (viewer: Pick<Viewer, "role">) => isStaff(viewer);

// Events about the team's own notes, contact details and who handles what; the rest are about the SMS themselves.
const INTERNAL_EVENTS: ReadonlySet<InboxEvent["kind"]> = new Set(["note", "contact", "handling"]);

/** The same rule for a conversation already loaded. */
export function canSee(viewer: Viewer, conversation: Pick<Conversation, "userId" | "contactNumber">): boolean {
  if (isStaff(viewer)) return true;
  return (
    viewer.phoneNumber !== null &&
    conversation.userId === viewer.id &&
    conversation.contactNumber === viewer.phoneNumber
  );
}

/** The conversation if `viewer` may see it, else null (a 404 upstream: a made-up id and someone else's look the same). */
export async function findVisibleConversation(viewer: Viewer, conversationId: string): Promise<Conversation | null> {
  if (!isUuid(conversationId)) return null;
  const [conversation] = await db
    .select()
    .from(conversations)
    .where(and(eq(conversations.id, conversationId), visibleTo(viewer)));
  return conversation ?? null;
}

/** A member's own conversations (with their verified number): one per number of ours they text, at most a few. */
export async function findOwnConversations(viewer: Viewer): Promise<string[]> {
  if (!viewer.phoneNumber) return [];
  const rows = await db.select({ id: conversations.id }).from(conversations).where(ownedBy(viewer));
  return rows.map((row) => row.id);
}

export type Audience = (viewerId: string, event: Pick<InboxEvent, "kind" | "conversationId">) => boolean;

/**
 * Who may hear about changes to these conversations, read from the database
 * now: a stream stays open for hours while numbers are verified, roles change
 * and accounts are deactivated (a deactivated account hears nothing).
 */
export async function audienceOf(conversationIds: string[]): Promise<Audience> {
  const [owned, staff] = await Promise.all([
    db
      .select({ id: conversations.id, userId: users.id })
      .from(conversations)
      .innerJoin(
        users,
        and(
          eq(users.id, conversations.userId),
          eq(users.phoneNumber, conversations.contactNumber),
          isNull(users.deactivatedAt),
        ),
      )
      .where(inArray(conversations.id, conversationIds)),
    // Agents and admins are a handful of people, however many members there are.
    db.select({ id: users.id }).from(users).where(activeStaff()),
  ]);
  const owners = new Map(owned.map((row) => [row.id, row.userId]));
  const team = new Set(staff.map((row) => row.id));
  return (viewerId, { kind, conversationId }) =>
    team.has(viewerId) || (!INTERNAL_EVENTS.has(kind) && owners.get(conversationId) === viewerId);
}
