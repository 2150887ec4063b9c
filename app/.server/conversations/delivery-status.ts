import { and, eq, inArray, sql } from "drizzle-orm";
import { db } from "../platform/db/client";
import type { Db } from "../platform/db/connect";
import { preparedRows } from "../platform/db/prepared";
import { messages } from "../platform/db/schema";
import { isUuid } from "../platform/db/uuid";
import { publish } from "../platform/event-bus";
import { writeBatch } from "../platform/write-batch";
import { env } from "../platform/env";
import { log } from "../platform/log";
import { smsGateway } from "../sms/gateway";
import { claimNonces, type Nonce } from "../webhooks/nonces";
import { recordMessageEvents } from "../outgoing-webhooks/events";
import type { Replayed } from "./inbound";
import type { DeliveryReport, ReportedStatus } from "./provider-events";

/**
 * Where a reply stands: the stages a status moves through, delivery reports
 * moving it forward (late and out of order as they arrive), the send result
 * that must not overtake a report, and the lookup for reports that never came.
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
/** The statuses each one moves on from: a report applies only over these. */
const EARLIER = Object.fromEntries(
  OUTBOUND_STATUSES.map((status) => [status, OUTBOUND_STATUSES.filter((s) => STAGE[s] < STAGE[status])]),
) as Record<OutboundStatus, OutboundStatus[]>;

/** Moves an outbound message's status forward. A signed webhook's nonce commits with the change or not at all. */
export async function applyDeliveryReport(report: DeliveryReport, nonce?: Nonce): Promise<ReportOutcome> {
  const outcome = await apply({ report, nonce, receivedAt: new Date() });
  if (outcome.status === "updated")
    publish({ kind: "status", conversationId: outcome.conversationId, messageId: outcome.id });
  return outcome;
}

type Arrival = { report: DeliveryReport; nonce: Nonce | undefined; receivedAt: Date };

/** Reports that come in while a write is in flight are applied together, in one transaction. */
const apply = writeBatch<Arrival, ReportOutcome>({
  write: (arrivals) => db.transaction((tx) => applyAll(tx, arrivals)),
});

type Found = { n: number; id: string; conversationId: string };

/** The same outcome as applying the reports one by one in arrival order, in a few statements. */
async function applyAll(tx: Db, arrivals: Arrival[]): Promise<ReportOutcome[]> {
  const answers: ReportOutcome[] = arrivals.map(() => ({ status: "ignored" }));
  const claimed = await claimNonces(
    tx,
    arrivals.map((arrival) => arrival.nonce),
  );
  const lookups = arrivals.flatMap(({ report }, n) => {
    if (!claimed[n]) {
      answers[n] = { status: "replayed" };
      return [];
    }
    const reference = report.reference && isUuid(report.reference) ? report.reference : undefined;
    return report.providerMessageId || reference ? [{ n, providerMessageId: report.providerMessageId, reference }] : [];
  });
  if (lookups.length === 0) return answers;
  const found = await preparedRows<Found>(
    tx,
    "find_reported_messages",
    sql`select v.n, m.id, m.conversation_id as "conversationId"
        from jsonb_to_recordset(${JSON.stringify(lookups)}::jsonb) as v(n int, "providerMessageId" text, reference uuid)
        cross join lateral (
          select id, conversation_id from ${messages}
          where direction = 'outbound' and (provider_message_id = v."providerMessageId" or id = v.reference)
          limit 1) m`,
  );

  // Reports for the same message are applied in arrival order, one round each, so each sees the one before.
  const rounds: Found[][] = [];
  const reportsFor = new Map<string, number>();
  for (const row of found.sort((a, b) => a.n - b.n)) {
    const round = reportsFor.get(row.id) ?? 0;
    reportsFor.set(row.id, round + 1);
    (rounds[round] ??= []).push(row);
  }
  for (const round of rounds) {
    const updated = await updateStatuses(
      tx,
      round.map((row) => ({ id: row.id, arrival: arrivals[row.n]! })),
    );
    for (const { n, id, conversationId } of round)
      answers[n] = { status: updated.has(id) ? "updated" : "unchanged", id, conversationId };
  }
  return answers;
}

/**
 * One conditional statement for many messages, so two reports racing cannot
 * move a status backwards. Answers the ids it changed.
 */
async function updateStatuses(tx: Db, changes: { id: string; arrival: Arrival }[]): Promise<Set<string>> {
  const rows = changes.map(({ id, arrival: { report, receivedAt } }) => {
    const next = REPORTED_AS[report.status];
    const final = next === "failed" || next === "expired";
    return {
      id,
      status: next,
      statusAt: report.statusAt ?? receivedAt,
      errorMessage: final ? (report.reason ?? null) : null,
      errorCode: final ? (report.errorCode ?? null) : null,
      providerMessageId: report.providerMessageId ?? null,
      earlier: EARLIER[next],
      // Marked failed here because MessageBird never answered (see outbound.ts): its
      // report is the first word we hear, and it may well say the SMS went out.
      revives: next !== "failed",
    };
  });
  const updated = await preparedRows<{ id: string }>(
    tx,
    "update_reported_statuses",
    sql`update ${messages} m set
          status = v.status,
          status_at = v."statusAt",
          error_message = v."errorMessage",
          error_code = v."errorCode",
          provider_message_id = coalesce(m.provider_message_id, v."providerMessageId")
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(
          id uuid, status message_status, "statusAt" timestamptz, "errorMessage" text, "errorCode" text,
          "providerMessageId" text, earlier message_status[], revives boolean)
        where m.id = v.id
          and (m.status = any(v.earlier) or (v.revives and m.status = 'failed' and m.provider_message_id is null))
        returning m.id`,
  );
  await recordMessageEvents(
    tx,
    "message.status",
    updated.map((row) => row.id),
  );
  return new Set(updated.map((row) => row.id));
}

/**
 * The status a reply takes when MessageBird accepts it. A delivery report can
 * overtake that answer (it finds the row by reference): only a still-queued
 * row becomes "sent", so "delivered" never turns back.
 */
export const acceptedStatus = () =>
  sql<OutboundStatus>`case when ${messages.status} = 'queued' then 'sent'::message_status else ${messages.status} end`;

/** Sent, with no final report yet: what the report sweep may look up (messages_unconfirmed_idx serves it). */
const awaitingReport = and(
  eq(messages.direction, "outbound"),
  sql`${messages.status} in ('sent', 'buffered')`,
  sql`${messages.providerMessageId} is not null`,
);

/** Lookups per run: the provider's API is shared with sending, and a backlog drains over a few minutes. */
const RECONCILE_BATCH = 50;
/** Messages older than this are not looked up any more: the provider keeps no status for ever. */
const RECONCILE_FOR_MS = 3 * 86_400_000;

/**
 * Sent messages whose delivery report never came are looked up at the
 * provider and moved forward like a report would (the sweep runs every
 * minute). One that is still in flight there is asked again a timeout later.
 */
export async function reconcileDeliveries(now = new Date()): Promise<number> {
  const due = await db
    .select({ id: messages.id, providerMessageId: messages.providerMessageId })
    .from(messages)
    .where(
      and(
        awaitingReport,
        sql`${messages.statusAt} < ${new Date(now.getTime() - env.outbox.deliveryReportTimeoutMs).toISOString()}::timestamptz`,
        sql`${messages.statusAt} > ${new Date(now.getTime() - RECONCILE_FOR_MS).toISOString()}::timestamptz`,
        sql`(${messages.nextAttemptAt} is null or ${messages.nextAttemptAt} <= ${now.toISOString()}::timestamptz)`,
      ),
    )
    .orderBy(messages.statusAt)
    .limit(RECONCILE_BATCH);
  if (due.length === 0) return 0;
  const gateway = await smsGateway();
  const unmoved: string[] = [];
  for (const { id, providerMessageId } of due) {
    const report = await gateway.deliveryStatus(providerMessageId!).catch((error: unknown) => {
      log.warn("delivery status lookup failed", { messageId: id, error });
      return null;
    });
    const outcome = report && (await applyDeliveryReport({ ...report, reference: id }));
    if (outcome?.status !== "updated") unmoved.push(id);
  }
  // Still in flight there, or the lookup failed: look again one timeout from now, not every minute.
  if (unmoved.length > 0) {
    await db
      .update(messages)
      .set({ nextAttemptAt: new Date(now.getTime() + env.outbox.deliveryReportTimeoutMs) })
      .where(inArray(messages.id, unmoved));
  }
  return due.length - unmoved.length;
}

/** When the next sent message's report falls due (it is not yet): the sweep runs again then. */
export async function nextReportDue(now = new Date()): Promise<Date | null> {
  const [row] = await db
    .select({ earliest: sql<string | null>`min(${messages.statusAt})` })
    .from(messages)
    .where(
      and(
        awaitingReport,
        sql`${messages.statusAt} >= ${new Date(now.getTime() - env.outbox.deliveryReportTimeoutMs).toISOString()}::timestamptz`,
      ),
    );
  return row?.earliest ? new Date(new Date(row.earliest).getTime() + env.outbox.deliveryReportTimeoutMs) : null;
}
