import { and, count, desc, eq, gt, isNull, ne, notExists, or, sql } from "drizzle-orm";
import { z } from "zod";
import { db } from "../platform/db/client";
import { pushSubscriptions, users } from "../platform/db/schema";
import { signInStands } from "../identity/session";
import { env } from "../platform/env";
import { isUuid } from "../platform/db/uuid";

/**
 * The browsers that receive a user's pushes. The server posts to whatever
 * endpoint a subscription names, so only the browsers' own push services
 * (and hosts an admin lists) are accepted: nobody can make it post elsewhere.
 */

// Base64url, as browsers send them (unpadded, though padding is tolerated): an uncompressed P-256 point (65 bytes) and a 16-byte secret (RFC 8291).
const key = (name: string, length: number) =>
  z.string({ error: `keys.${name} is missing` }).regex(new RegExp(`^[A-Za-z0-9_-]{${length}}=*$`), {
    message: `keys.${name} must be ${length} base64url characters`,
  });

/** What `POST /push/subscriptions` takes: the browser's `PushSubscription.toJSON()`. */
export const SubscriptionSchema = z.object({
  endpoint: z
    .string()
    .max(2048)
    .refine(isPushServiceUrl, {
      message: "endpoint must be an https:// URL of a known push service (FCM, Mozilla, Apple, Windows)",
    })
    // Kept as the URL parser writes it (anything odd percent-encoded), and looked up the same way.
    .transform(normalEndpoint),
  keys: z.object(
    { p256dh: key("p256dh", 87), auth: key("auth", 22) },
    { error: "keys.p256dh and keys.auth are missing" },
  ),
});

export const UnsubscribeSchema = z.object({
  endpoint: z.string().max(2048).refine(URL.canParse, "endpoint must be a URL").transform(normalEndpoint),
});

function normalEndpoint(endpoint: string): string {
  return new URL(endpoint).href;
}

// The push services of Chrome/Edge/Android (FCM), Firefox, Safari and Windows, and their subdomains.
const PUSH_SERVICES = [
  "fcm.googleapis.com",
  "android.googleapis.com",
  "push.services.mozilla.com",
  "push.apple.com",
  "notify.windows.com",
];

export function isPushServiceUrl(endpoint: string): boolean {
  if (!URL.canParse(endpoint)) return false;
  const url = new URL(endpoint);
  if (url.protocol !== "https:" || url.username || url.password) return false;
  const host = url.hostname.toLowerCase();
  // Letters, digits, dots and hyphens only (an international name arrives as xn--): the URL standard lets `;`, `'` or
  // `{` into a host name, where web-push's parser (Node's legacy url.parse) ends it, and would post to what came before.
  if (!/^[a-z0-9.-]+$/.test(host)) return false;
  return (
    PUSH_SERVICES.some((service) => host === service || host.endsWith(`.${service}`)) ||
    env.push.allowedHosts.includes(host)
  );
}

/** A person's phones and computers; every push about a text goes to each, so a few dozen would already be an abuse. */
export const MAX_DEVICES = 10;

/**
 * Keeps the browser's subscription for `userId`; subscribing again (new keys) replaces the old row.
 * An endpoint is one browser, signed in as one person at a time: whoever had it before (a sign-in
 * that lapsed without signing out) hears nothing more through it.
 */
export async function saveSubscription(
  userId: string,
  subscription: z.infer<typeof SubscriptionSchema>,
  { device, session }: { device: string; session: { sessionId: string; sessionVersion: number; expiresAt: Date } },
): Promise<"saved" | "too many devices"> {
  const { expiresAt: sessionExpiresAt, ...signIn } = session;
  const values = { userId, endpoint: subscription.endpoint, ...subscription.keys, device, ...signIn, sessionExpiresAt };
  return db.transaction(async (tx) => {
    const [others] = await tx
      .select({ count: count() })
      .from(pushSubscriptions)
      .where(and(eq(pushSubscriptions.userId, userId), ne(pushSubscriptions.endpoint, subscription.endpoint)));
    if (others!.count >= MAX_DEVICES) return "too many devices";
    await tx
      .delete(pushSubscriptions)
      .where(and(eq(pushSubscriptions.endpoint, subscription.endpoint), ne(pushSubscriptions.userId, userId)));
    await tx
      .insert(pushSubscriptions)
      .values(values)
      .onConflictDoUpdate({ target: [pushSubscriptions.userId, pushSubscriptions.endpoint], set: values });
    return "saved";
  });
}

/** Forgets one of the user's subscriptions, by the endpoint the browser knows it by. */
export async function removeSubscription(userId: string, endpoint: string): Promise<void> {
  await db
    .delete(pushSubscriptions)
    .where(and(eq(pushSubscriptions.userId, userId), eq(pushSubscriptions.endpoint, endpoint)));
}

/** Forgets one of the user's devices, from the device list; false when it is not theirs (or gone). */
export async function removeDevice(userId: string, deviceId: string): Promise<boolean> {
  if (!isUuid(deviceId)) return false;
  const removed = await db
    .delete(pushSubscriptions)
    .where(and(eq(pushSubscriptions.userId, userId), eq(pushSubscriptions.id, deviceId)))
    .returning({ id: pushSubscriptions.id });
  return removed.length > 0;
}

export async function listDevices(userId: string) {
  return db
    .select({
      id: pushSubscriptions.id,
      endpoint: pushSubscriptions.endpoint,
      device: pushSubscriptions.device,
      createdAt: pushSubscriptions.createdAt,
      lastPushedAt: pushSubscriptions.lastPushedAt,
    })
    .from(pushSubscriptions)
    .innerJoin(users, eq(users.id, pushSubscriptions.userId))
    .where(and(eq(pushSubscriptions.userId, userId), live))
    .orderBy(desc(pushSubscriptions.createdAt));
}

/** A subscription whose sign-in still stands, and has not expired; the query joins its user. */
export const live = and(
  signInStands(pushSubscriptions.sessionId, pushSubscriptions.sessionVersion),
  or(isNull(pushSubscriptions.sessionExpiresAt), gt(pushSubscriptions.sessionExpiresAt, sql`now()`)),
);

/** Forgets the subscriptions of sign-ins that ended (signed out, ended everywhere, or expired): they get nothing anyway. */
export async function purgeEndedSubscriptions(): Promise<void> {
  await db.delete(pushSubscriptions).where(
    notExists(
      db
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.id, pushSubscriptions.userId), live)),
    ),
  );
}

/** "Firefox on Android", from a User-Agent: enough to tell one's devices apart in the list. */
export function deviceName(userAgent: string | null): string {
  const ua = userAgent ?? "";
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\//.test(ua)
      ? "Firefox"
      : /Chrome\/|Chromium\//.test(ua)
        ? "Chrome"
        : /Safari\//.test(ua)
          ? "Safari"
          : "A browser";
  const system = /Android/.test(ua)
    ? "Android"
    : /iPhone|iPad/.test(ua)
      ? "iOS"
      : /Mac OS X/.test(ua)
        ? "macOS"
        : /Windows/.test(ua)
          ? "Windows"
          : /Linux/.test(ua)
            ? "Linux"
            : null;
  return system ? `${browser} on ${system}` : browser;
}
