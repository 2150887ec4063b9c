import { and, asc, eq } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { conversationEvents, users } from "../platform/db/schema";
import { db } from "../platform/db/client";
import type { Db } from "../platform/db/connect";
import { accountNameOf } from "../identity/names";
import { withinSpan, type ThreadPage } from "./threads";
import { recordConversationEvent } from "../outgoing-webhooks/events";
import type { WebhookEvent } from "~/lib/outgoing-webhook-schemas";

export type ConversationEvent = typeof conversationEvents.$inferInsert;

// The changes of handling that admins' outgoing webhooks may subscribe to.
const WEBHOOK_EVENTS: Partial<Record<ConversationEvent["kind"], WebhookEvent>> = {
  assigned: "conversation.assigned",
  resolved: "conversation.resolved",
};

/**
 * Records a change of handling in the caller's transaction, so it is written exactly when the
 * change is, and with it the outgoing webhook event its kind has, if any.
 */
export async function recordEvent(tx: Db, event: ConversationEvent): Promise<void> {
  await tx.insert(conversationEvents).values(event);
  const webhookEvent = WEBHOOK_EVENTS[event.kind];
  if (webhookEvent)
    await recordConversationEvent(tx, webhookEvent, event.conversationId, {
      actorUserId: event.actorUserId ?? null,
      via: event.via ?? undefined,
    });
}

/** A change of handling as a line in the thread: "Assigned to Ana by round robin". The team's only (access.ts `seesInternal`). */
export type SystemLine = { id: string; createdAt: Date; text: string };

const actor = alias(users, "actor");
const assignee = alias(users, "assignee");

/** The changes in the stretch of time one thread page covers, oldest first (see notes.ts's `notesWithin`). */
export async function systemLinesWithin(conversationId: string, span: ThreadPage["span"]): Promise<SystemLine[]> {
  const rows = await db
    .select({
      id: conversationEvents.id,
      kind: conversationEvents.kind,
      via: conversationEvents.via,
      actorUserId: conversationEvents.actorUserId,
      assigneeId: conversationEvents.assigneeId,
      actorName: accountNameOf(actor),
      assigneeName: accountNameOf(assignee),
      createdAt: conversationEvents.createdAt,
    })
    .from(conversationEvents)
    .leftJoin(actor, eq(actor.id, conversationEvents.actorUserId))
    .leftJoin(assignee, eq(assignee.id, conversationEvents.assigneeId))
    .where(and(eq(conversationEvents.conversationId, conversationId), withinSpan(conversationEvents.createdAt, span)))
    .orderBy(asc(conversationEvents.createdAt), asc(conversationEvents.id));
  return rows.map((row) => ({ id: row.id, createdAt: row.createdAt, text: describe(row) }));
}

type EventRow = {
  kind: (typeof conversationEvents.$inferSelect)["kind"];
  via: string | null;
  actorUserId: string | null;
  assigneeId: string | null;
  actorName: string | null;
  assigneeName: string | null;
};

function describe(event: EventRow): string {
  // An automation names itself by `via` ("round-robin" → "round robin"); a deleted account is "someone".
  const automation = event.via ? event.via.replaceAll("-", " ") : null;
  const person = event.actorUserId ? (event.actorName ?? "Someone") : null;
  const by = person ? ` by ${person}` : automation ? ` by ${automation}` : "";
  const assigneeName = event.assigneeName ?? "someone";
  switch (event.kind) {
    case "assigned":
      if (!person) return `Assigned to ${assigneeName}${by}`;
      return event.assigneeId === event.actorUserId
        ? `${person} assigned this to themselves`
        : `${person} assigned this to ${assigneeName}`;
    case "unassigned":
      return person ? `${person} unassigned this` : `Unassigned${by}`;
    case "resolved":
      return `Resolved${by}`;
    case "reopened":
      return `Reopened${by}`;
    case "none-available":
      return `Left unassigned${by}: nobody is available (everyone is away or has as many open conversations as allowed)`;
  }
}
