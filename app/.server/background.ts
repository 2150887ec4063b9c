import { lt } from "drizzle-orm";
import type { Task } from "graphile-worker";
import { database, db } from "./platform/db/client";
import { env } from "./platform/env";
import { enqueue, runDueJobs as runDue, startJobRunner } from "./platform/jobs";
import { rateLimits, revokedSessions, webhookNonces } from "./platform/db/schema";
import { nextReportDue, reconcileDeliveries } from "./conversations/delivery-status";
import { attemptSend, RECONCILE_TASK, requeueStranded, scheduleReconcile, SEND_SMS_TASK } from "./conversations/outbox";
import { purgeRejections } from "./webhooks/rejections";
import { attemptCodeSms, SEND_CODE_TASK } from "./identity/code-sms";
import { INBOUND_STORED_TASK } from "./conversations/inbound";
import { answerInbound, AUTO_REPLY_TASK } from "./automations/auto-reply";
import { REPLY_STORED_TASK } from "./conversations/outbound";
import { PUSH_MESSAGES_TASK, pushAboutMessages, SEND_PUSH_TASK, sendPush } from "./notifications/push";
import { purgeEndedSubscriptions } from "./notifications/subscriptions";
import type { PushNotification } from "~/lib/push";
import { DELIVER_WEBHOOK_TASK, RECEIVED_EVENTS_TASK, recordMessageEvents } from "./outgoing-webhooks/events";
import { attemptDelivery, purgeDeliveries } from "./outgoing-webhooks/deliveries";
import { AUTO_ASSIGN_TASK, autoAssign } from "./automations/round-robin";
import { purgeIdempotencyKeys } from "./api/idempotency";
import { REFRESH_REPORTS_TASK, refreshReportRollups } from "./reports/rollup";

/**
 * Everything that happens off a request's path, as jobs of the one queue:
 * sending SMS, looking up missing delivery reports, housekeeping. Cron items
 * run once per schedule however many instances there are.
 */

/**
 * What follows every batch of stored inbound SMS, and every stored reply: each a job of its own
 * (payload `{ messageIds }`) so one that fails retries alone without repeating the others.
 */
const inboundFollowUps: string[] = [AUTO_ASSIGN_TASK, AUTO_REPLY_TASK, PUSH_MESSAGES_TASK, RECEIVED_EVENTS_TASK];
const replyFollowUps: string[] = [PUSH_MESSAGES_TASK];

// Keyed by the job handing on: should it run again after its jobs were added, it moves them instead of adding twice.
const handOn =
  (followUps: string[]): Task =>
  (payload, { job }) =>
    db.transaction(async (tx) => {
      for (const task of followUps) await enqueue(tx, task, payload as object, { key: `${task}:${job.id}` });
    });

type MessagesPayload = { messageIds: string[] };

const tasks: Record<string, Task> = {
  [INBOUND_STORED_TASK]: handOn(inboundFollowUps),
  [REPLY_STORED_TASK]: handOn(replyFollowUps),
  [PUSH_MESSAGES_TASK]: async (payload) => pushAboutMessages((payload as MessagesPayload).messageIds),
  [AUTO_REPLY_TASK]: async (payload) => answerInbound((payload as MessagesPayload).messageIds),
  [SEND_PUSH_TASK]: async (payload) => sendPush(payload as { subscriptionId: string; notification: PushNotification }),
  [AUTO_ASSIGN_TASK]: async (payload) => autoAssign((payload as MessagesPayload).messageIds),
  [SEND_SMS_TASK]: async (payload) => attemptSend((payload as { messageId: string }).messageId),
  [SEND_CODE_TASK]: async (payload) =>
    void (await attemptCodeSms((payload as { verificationId: string }).verificationId)),
  [RECONCILE_TASK]: async () => {
    await requeueStranded();
    await reconcileDeliveries();
    // A pending sweep keeps its earlier time: come back for the reports that fall due later.
    const due = await nextReportDue();
    if (due) await scheduleReconcile(db, due);
  },
  purge_expired: async () => {
    const now = new Date();
    await db.delete(rateLimits).where(lt(rateLimits.resetAt, now));
    await db.delete(webhookNonces).where(lt(webhookNonces.expiresAt, now));
    // Before the revoked sessions they are bound to are forgotten.
    await purgeEndedSubscriptions();
    // Past its expiry a revoked token is refused anyway, for being expired.
    await db.delete(revokedSessions).where(lt(revokedSessions.expiresAt, now));
    await purgeIdempotencyKeys();
  },
  purge_rejections: async () => void (await purgeRejections()),
  // One statement: the deliveries and their jobs are written together or not at all.
  [RECEIVED_EVENTS_TASK]: async (payload) =>
    recordMessageEvents(db, "message.received", (payload as MessagesPayload).messageIds),
  [DELIVER_WEBHOOK_TASK]: async (payload) => attemptDelivery((payload as { deliveryId: string }).deliveryId),
  purge_webhook_deliveries: async () => purgeDeliveries(),
  // Keeps what a report has to roll up itself before it answers to a minute's writes at most.
  [REFRESH_REPORTS_TASK]: async () => refreshReportRollups(),
};

const crontab = [
  `* * * * * ${RECONCILE_TASK}`,
  `* * * * * ${REFRESH_REPORTS_TASK}`,
  "*/5 * * * * purge_expired",
  "7 * * * * purge_rejections",
  "17 3 * * * purge_webhook_deliveries",
].join("\n");

/** Starts this instance's worker; the returned function stops it, waiting for jobs under way. */
export function startBackgroundWork(): Promise<() => Promise<void>> {
  return startJobRunner({ connectionString: database.url, tasks, crontab, concurrency: env.outbox.concurrency });
}

/** Works every job that is due now in this process, then returns: what the worker would do next, at once. */
export const runDueJobs = () => runDue({ connectionString: database.url, tasks });
