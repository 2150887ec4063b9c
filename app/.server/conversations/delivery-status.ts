import { and, eq, inArray, isNull, or, sql } from "drizzle-orm";
import { db } from "../platform/db/client";
import type { Db } from "../platform/db/connect";
import { messages } from "../platform/db/schema";
import { isUuid } from "../platform/db/uuid";
import { publish } from "../platform/event-bus";
import type { ReplayGuard, Replayed } from "./inbound";
import type { DeliveryReport, ReportedStatus } from "./provider-events";

/**
 * Where a reply stands: the stages a status moves through, delivery reports
 * moving it forward (late and out of order as they arrive), the send result
 * that must not overtake a report, and the sweep for sends nobody confirmed.
 */

export type ReportOutcome =
  { status: "updated" | "unchanged"; id: string; conversationId: string } | { status: "ignored" } | Replayed;

const REPORTED_AS = {
  scheduled: "queued",
  sent: "sent",
  buffered: "buffered",
  delivered: "delivered",
  expired: "expired",
  delivery_failed: "failed",
} as const satisfies Record<ReportedStatus, string>;

type OutboundStatus = (typeof REPORTED_AS)[ReportedStatus];

// Reports arrive late and out of order; a status only ever moves to a later stage.
const STAGE: Record<OutboundStatus, number> = { queued: 0, sent: 1, buffered: 2, delivered: 3, expired: 3, failed: 3 };
const OUTBOUND_STATUSES = Object.keys(STAGE) as OutboundStatus[];

/** Moves an outbound message's status forward. A signed webhook's replay guard commits with the change or not at all. */
export async function applyDeliveryReport(report: DeliveryReport, guard?: ReplayGuard): Promise<ReportOutcome> {
  // Without a guard the lookup and the conditional update stand alone; a guard must commit with the change.
  const outcome = guard ? await db.transaction((tx) => applyReport(tx, report, guard)) : await applyReport(db, report);
  if (outcome.status === "updated")
    publish({ kind: "status", conversationId: outcome.conversationId, messageId: outcome.id });
  return outcome;
}

async function applyReport(tx: Db, report: DeliveryReport, guard?: ReplayGuard): Promise<ReportOutcome> {
  if (guard && !(await guard(tx))) return { status: "replayed" };
  const byProviderId = report.providerMessageId ? eq(messages.providerMessageId, report.providerMessageId) : undefined;
  const byReference = report.reference && isUuid(report.reference) ? eq(messages.id, report.reference) : undefined;
  if (!byProviderId && !byReference) return { status: "ignored" };
  const [message] = await tx
    .select({ id: messages.id, conversationId: messages.conversationId })
    .from(messages)
    .where(and(eq(messages.direction, "outbound"), or(byProviderId, byReference)))
    .limit(1);
  if (!message) return { status: "ignored" };

  const next = REPORTED_AS[report.status];
  const final = next === "failed" || next === "expired";
  // One conditional statement, so two reports racing cannot move a status backwards.
  const [updated] = await tx
    .update(messages)
    .set({
      status: next,
      statusAt: report.statusAt ?? new Date(),
      ...(final
        ? { errorMessage: report.reason ?? null, errorCode: report.errorCode ?? null }
        : { errorMessage: null, errorCode: null }),
      ...(report.providerMessageId && {
        providerMessageId: sql`coalesce(${messages.providerMessageId}, ${report.providerMessageId})`,
      }),
    })
    .where(
      and(
        eq(messages.id, message.id),
        or(
          inArray(
            messages.status,
            OUTBOUND_STATUSES.filter((s) => STAGE[s] < STAGE[next]),
          ),
          // Marked failed here because MessageBird never answered (see outbound.ts): its
          // report is the first word we hear, and it may well say the SMS went out.
          next === "failed" ? undefined : and(eq(messages.status, "failed"), isNull(messages.providerMessageId)),
        ),
      ),
    )
    .returning({ id: messages.id });
  return { status: updated ? "updated" : "unchanged", id: message.id, conversationId: message.conversationId };
}

/**
 * The status a reply takes when MessageBird accepts it. A delivery report can
 * overtake that answer (it finds the row by reference): only a still-queued
 * row becomes "sent", so "delivered" never turns back.
 */
export const acceptedStatus = () =>
  sql<OutboundStatus>`case when ${messages.status} = 'queued' then 'sent'::message_status else ${messages.status} end`;

/** How long an unanswered send may stay queued before it is offered for Retry. */
export const UNCONFIRMED_AFTER_MS = 10 * 60_000;

/**
 * Replies MessageBird never answered for (see `deliver`) and never reported on
 * become failed with a Retry button. Runs in the background; returns how many.
 */
export async function failUnconfirmedReplies(now = new Date()): Promise<number> {
  const stale = await db
    .update(messages)
    .set({
      status: "failed",
      errorMessage: "MessageBird never confirmed this message, so it may not have been sent. Retry sends it again.",
      statusAt: now,
    })
    .where(
      and(
        eq(messages.direction, "outbound"),
        eq(messages.status, "queued"),
        sql`${messages.providerMessageId} is null`,
        sql`${messages.statusAt} < ${new Date(now.getTime() - UNCONFIRMED_AFTER_MS).toISOString()}::timestamptz`,
      ),
    )
    .returning({ id: messages.id, conversationId: messages.conversationId });
  for (const row of stale) publish({ kind: "status", conversationId: row.conversationId, messageId: row.id });
  return stale.length;
}
