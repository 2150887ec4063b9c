import { and, eq, inArray, isNull, or, sql } from "drizzle-orm";
import webpush from "web-push";
import { formatPhone } from "~/lib/phone";
import { PUSH_PREVIEW_LENGTH, type PushNotification } from "~/lib/push";
import { isStaff, STAFF_ROLES } from "~/lib/roles";
import { audienceOf, type Viewer } from "../conversations/access";
import { contactNamesOf } from "../conversations/contacts";
import { countUnreadConversations } from "../conversations/inbox";
import { db } from "../platform/db/client";
import { conversations, messages, notificationSettings, pushSubscriptions, users } from "../platform/db/schema";
import { env } from "../platform/env";
import { enqueue } from "../platform/jobs";
import { log } from "../platform/log";
import { nameOfNumber } from "../sms/numbers";
import { DEFAULT_PREFERENCES, type NotificationPreferences } from "./preferences";
import { live } from "./subscriptions";

/**
 * Web Push: who is told about a message, and the sending. Each push is a job
 * of the one queue (one per subscription), so a push service that fails is
 * retried with the queue's backoff while the others go out; one that says the
 * subscription is gone (404, 410) loses it at once.
 */

/** Payload `{ messageIds }`: works out the pushes for stored messages and queues them. */
export const PUSH_MESSAGES_TASK = "push_messages";
/** Payload `{ subscriptionId, notification }`: one push to one browser. */
export const SEND_PUSH_TASK = "send_push";

// A notification not delivered within a day is old news; the app shows the message anyway.
const TTL_SECONDS = 86_400;

type Recipient = Viewer & NotificationPreferences & { subscriptionIds: string[] };

/**
 * For each message: every subscription whose user may see its conversation
 * (access.ts) and wants that kind of event, never its author's. Staff hear
 * of a contact's texts (a new conversation, one assigned to them, an
 * unassigned one, as each chose); a member hears of the team's replies in
 * their own conversation.
 */
export async function pushAboutMessages(messageIds: string[]): Promise<void> {
  if (!env.push.vapid || messageIds.length === 0) return;
  const stored = await db
    .select({
      id: messages.id,
      conversationId: messages.conversationId,
      direction: messages.direction,
      author: messages.author,
      authorUserId: messages.authorUserId,
      body: messages.body,
      contactNumber: conversations.contactNumber,
      virtualNumber: conversations.virtualNumber,
      ownerId: conversations.userId,
      assigneeId: conversations.assigneeId,
      opensConversation: sql<boolean>`not exists (
        select from ${messages} earlier where earlier.conversation_id = ${messages.conversationId}
          and (earlier.created_at, earlier.id) < (${messages.createdAt}, ${messages.id}))`,
    })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    // A verification code is nobody's conversation news.
    .where(and(inArray(messages.id, messageIds), sql`${messages.author} <> 'verification-code'`))
    .orderBy(messages.createdAt, messages.id);
  if (stored.length === 0) return;

  const conversationIds = [...new Set(stored.map((message) => message.conversationId))];
  const [audience, recipients, contactNames] = await Promise.all([
    audienceOf(conversationIds),
    subscribers(stored.flatMap((message) => (message.ownerId ? [message.ownerId] : []))),
    contactNamesOf(conversationIds),
  ]);

  // Once per recipient for the whole batch: the count after all of it is what the badge should show.
  const unread = new Map<string, Promise<number>>();
  const unreadOf = (recipient: Recipient) => {
    if (!unread.has(recipient.id)) unread.set(recipient.id, countUnreadConversations(recipient));
    return unread.get(recipient.id)!;
  };
  const pushes: Push[] = [];
  for (const message of stored) {
    for (const recipient of recipients) {
      if (recipient.id === message.authorUserId) continue;
      if (!audience(recipient.id, { kind: "message", conversationId: message.conversationId })) continue;
      const wanted = isStaff(recipient)
        ? message.direction === "inbound" &&
          ((message.opensConversation && recipient.newConversation) ||
            (message.assigneeId === recipient.id && recipient.assignedToMe) ||
            (message.assigneeId === null && recipient.unassigned))
        : message.direction === "outbound";
      if (!wanted) continue;
      const title = isStaff(recipient)
        ? (contactNames.get(message.conversationId) ?? formatPhone(message.contactNumber))
        : await nameOfNumber(message.virtualNumber);
      const notification: PushNotification = {
        title,
        body: recipient.hideText ? "New message" : preview(message.body),
        tag: message.conversationId,
        url: `/messages/${message.conversationId}`,
        unread: await unreadOf(recipient),
      };
      // One pending push per conversation and browser: a burst of texts (or a fan-out retried) moves it, carrying
      // the latest text (they come oldest first), instead of ringing once per text.
      for (const subscriptionId of recipient.subscriptionIds)
        pushes.push({ subscriptionId, notification, key: `push:${message.conversationId}:${subscriptionId}` });
    }
  }
  await queuePushes(pushes);
}

/** A test notification to each of the user's devices, from /settings/notifications. */
export async function sendTestPush(user: Viewer): Promise<number> {
  const rows = await db
    .select({ id: pushSubscriptions.id })
    .from(pushSubscriptions)
    .innerJoin(users, eq(users.id, pushSubscriptions.userId))
    .where(and(eq(pushSubscriptions.userId, user.id), live));
  const notification: PushNotification = {
    title: "Birdline",
    body: "Notifications work on this device.",
    tag: "test",
    url: "/settings/notifications",
    unread: await countUnreadConversations(user),
  };
  await queuePushes(rows.map((row) => ({ subscriptionId: row.id, notification })));
  return rows.length;
}

type Push = { subscriptionId: string; notification: PushNotification; key?: string };

async function queuePushes(pushes: Push[]) {
  if (pushes.length === 0) return;
  await db.transaction(async (tx) => {
    for (const { subscriptionId, notification, key } of pushes)
      await enqueue(tx, SEND_PUSH_TASK, { subscriptionId, notification }, { key });
  });
}

/** Everyone with a subscription who could hear of these conversations: active staff, and the members who own them. */
async function subscribers(ownerIds: string[]): Promise<Recipient[]> {
  const rows = await db
    .select({
      subscriptionId: pushSubscriptions.id,
      id: users.id,
      role: users.role,
      phoneNumber: users.phoneNumber,
      settings: notificationSettings,
    })
    .from(pushSubscriptions)
    .innerJoin(users, eq(users.id, pushSubscriptions.userId))
    .leftJoin(notificationSettings, eq(notificationSettings.userId, users.id))
    .where(
      and(
        isNull(users.deactivatedAt),
        live,
        or(inArray(users.role, [...STAFF_ROLES]), ownerIds.length > 0 ? inArray(users.id, ownerIds) : sql`false`),
      ),
    );
  const byUser = new Map<string, Recipient>();
  for (const { subscriptionId, settings, ...user } of rows) {
    const recipient = byUser.get(user.id) ?? { ...user, ...(settings ?? DEFAULT_PREFERENCES), subscriptionIds: [] };
    recipient.subscriptionIds.push(subscriptionId);
    byUser.set(user.id, recipient);
  }
  return [...byUser.values()];
}

function preview(body: string): string {
  const text = body.replace(/\s+/g, " ").trim();
  if (text.length === 0) return "New message";
  const chars = [...text];
  return chars.length <= PUSH_PREVIEW_LENGTH ? text : `${chars.slice(0, PUSH_PREVIEW_LENGTH - 1).join("")}…`;
}

/**
 * One push to one browser. A subscription the push service no longer knows
 * (404, 410) is deleted; any other failure throws, and the queue tries again.
 */
export async function sendPush({
  subscriptionId,
  notification,
}: {
  subscriptionId: string;
  notification: PushNotification;
}) {
  const vapid = env.push.vapid;
  if (!vapid) return;
  // Asked again when it goes: a push waiting in the queue (or retried for hours) reaches nobody who has signed out or left since.
  const [subscription] = await db
    .select({ endpoint: pushSubscriptions.endpoint, p256dh: pushSubscriptions.p256dh, auth: pushSubscriptions.auth })
    .from(pushSubscriptions)
    .innerJoin(users, eq(users.id, pushSubscriptions.userId))
    .where(and(eq(pushSubscriptions.id, subscriptionId), isNull(users.deactivatedAt), live));
  if (!subscription) return;
  try {
    await webpush.sendNotification(
      { endpoint: subscription.endpoint, keys: { p256dh: subscription.p256dh, auth: subscription.auth } },
      JSON.stringify(notification),
      {
        vapidDetails: vapid,
        TTL: TTL_SECONDS,
        urgency: "high",
        // The push service keeps one undelivered push per topic: a phone that was off gets the latest per conversation.
        topic: notification.tag.replaceAll("-", "").slice(0, 32),
        timeout: 10_000,
      },
    );
  } catch (error) {
    if (error instanceof webpush.WebPushError && (error.statusCode === 404 || error.statusCode === 410)) {
      await db.delete(pushSubscriptions).where(eq(pushSubscriptions.id, subscriptionId));
      log.info("push subscription expired; removed", { subscriptionId, status: error.statusCode });
      return;
    }
    const status = error instanceof webpush.WebPushError ? error.statusCode : undefined;
    throw new Error(`push service refused or unreachable${status ? ` (HTTP ${status})` : ""}`, { cause: error });
  }
  await db.update(pushSubscriptions).set({ lastPushedAt: new Date() }).where(eq(pushSubscriptions.id, subscriptionId));
}
