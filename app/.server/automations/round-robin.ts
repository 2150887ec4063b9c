import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { db } from "../platform/db/client";
import type { Db } from "../platform/db/connect";
import { autoAssignment, conversationEvents, conversations, messages, numbers, users } from "../platform/db/schema";
import { isUuid } from "../platform/db/uuid";
import { activeStaff } from "../conversations/access";
import { assignWithin, handlingChanged } from "../conversations/assignment";
import { recordEvent } from "../conversations/events";
import { findNumber, type NumberChange } from "../sms/numbers";
import type { ASSIGNMENT_MODES } from "~/lib/our-numbers";

/**
 * Round robin: on a number where it is on (an `auto_assignment` row), a
 * conversation that gets an inbound SMS and has nobody available handling it
 * (no assignee, or one who is away or deactivated) goes to the available agent
 * or admin with the fewest open conversations, ties to whoever was given one
 * least recently. A number's capacity passes by anyone holding that many open
 * conversations. Nobody available: it stays unassigned, and the thread says so.
 *
 * Every choice is made under one team-wide lock, with the write in the same
 * transaction: loads are counted across all numbers (an agent's open work is
 * one pile whichever number it came in on), so two numbers' rotations must not
 * both pick the same least-loaded agent at once, nor two instances the same
 * conversation. A choice takes a few milliseconds; new conversations do not
 * arrive faster than that.
 */

export const AUTO_ASSIGN_TASK = "auto_assign";
export const ROUND_ROBIN = "round-robin";

const ROUND_ROBIN_LOCK = 7_411_004;

export type AssignmentRule = { numberId: string; capacity: number | null };

/** Round robin's rule of each number where it is on. */
export async function assignmentRules(): Promise<Map<string, AssignmentRule>> {
  const rows = await db
    .select({ numberId: autoAssignment.numberId, capacity: autoAssignment.capacity })
    .from(autoAssignment);
  return new Map(rows.map((rule) => [rule.numberId, rule]));
}

/** Turns round robin on for a number (with a capacity, or none) or off. */
export async function setAssignmentRule({
  numberId,
  mode,
  capacity = null,
}: {
  numberId: string;
  mode: (typeof ASSIGNMENT_MODES)[number];
  capacity?: number | null;
}): Promise<NumberChange> {
  if (!(await findNumber(numberId)))
    return { ok: false, field: "numberId", message: "There is no such number.", status: 404 };
  if (mode === "off") await db.delete(autoAssignment).where(eq(autoAssignment.numberId, numberId));
  else
    await db
      .insert(autoAssignment)
      .values({ numberId, capacity })
      .onConflictDoUpdate({ target: autoAssignment.numberId, set: { capacity } });
  return { ok: true };
}

/** The follow-up of a batch of stored inbound SMS: each of their conversations on a round-robin number, in turn. */
export async function autoAssign(messageIds: string[]): Promise<void> {
  const ids = messageIds.filter(isUuid);
  if (ids.length === 0) return;
  const rows = await db
    .selectDistinct({ id: conversations.id })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(numbers, eq(numbers.number, conversations.virtualNumber))
    .innerJoin(autoAssignment, eq(autoAssignment.numberId, numbers.id))
    .where(inArray(messages.id, ids));
  for (const { id } of rows) await assignNext(id);
}

export type RoundRobinOutcome = "assigned" | "kept" | "none-available";

/** Gives one conversation to the next available person, if it needs one; see the module's comment. */
export async function assignNext(conversationId: string): Promise<RoundRobinOutcome> {
  const outcome = await db.transaction(async (tx): Promise<RoundRobinOutcome> => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ROUND_ROBIN_LOCK})`);
    // Read again inside the lock: whoever held it before may have just assigned this very conversation.
    const [conversation] = await tx
      .select({
        resolvedAt: conversations.resolvedAt,
        capacity: autoAssignment.capacity,
        handled: sql<boolean>`exists (select 1 from ${users} where ${users.id} = ${conversations.assigneeId}
                                      and ${activeStaff()} and ${users.awaySince} is null)`,
      })
      .from(conversations)
      .innerJoin(numbers, eq(numbers.number, conversations.virtualNumber))
      .innerJoin(autoAssignment, eq(autoAssignment.numberId, numbers.id))
      .where(eq(conversations.id, conversationId))
      // A person assigning it by hand meanwhile waits for this choice, or this choice for theirs.
      .for("update", { of: conversations });
    if (!conversation || conversation.resolvedAt || conversation.handled) return "kept";
    const next = await nextAvailable(tx, conversation.capacity);
    if (next && (await assignWithin(tx, conversationId, next, { actorUserId: null, via: ROUND_ROBIN })) !== null)
      return "assigned";
    // Said once: a burst of texts while everyone is away adds one line to the thread, not one per text.
    if ((await lastEventKind(tx, conversationId)) === "none-available") return "kept";
    await recordEvent(tx, { conversationId, kind: "none-available", actorUserId: null, via: ROUND_ROBIN });
    return "none-available";
  });
  if (outcome !== "kept") handlingChanged(conversationId);
  return outcome;
}

/** The available person with the fewest open conversations (under `capacity`), longest since their last assignment. */
async function nextAvailable(tx: Db, capacity: number | null): Promise<string | null> {
  const open = sql<number>`(select count(*) from ${conversations}
                            where ${conversations.assigneeId} = ${users.id} and ${conversations.resolvedAt} is null)`;
  const lastAssigned = sql`(select max(${conversationEvents.createdAt}) from ${conversationEvents}
                            where ${conversationEvents.assigneeId} = ${users.id} and ${conversationEvents.kind} = 'assigned')`;
  const [person] = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(activeStaff(), isNull(users.awaySince), capacity === null ? undefined : sql`${open} < ${capacity}`))
    .orderBy(asc(open), sql`${lastAssigned} asc nulls first`, asc(users.id))
    .limit(1);
  return person?.id ?? null;
}

async function lastEventKind(tx: Db, conversationId: string) {
  const [event] = await tx
    .select({ kind: conversationEvents.kind })
    .from(conversationEvents)
    .where(eq(conversationEvents.conversationId, conversationId))
    .orderBy(desc(conversationEvents.createdAt), desc(conversationEvents.id))
    .limit(1);
  return event?.kind ?? null;
}
