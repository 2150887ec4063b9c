import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Standard Webhooks (standardwebhooks.com), as the Bird platform signs:
 * `webhook-signature` holds space-separated `v1,<base64>` entries (two while a
 * secret rotates), each an HMAC-SHA256 of `${id}.${timestamp}.${raw body}`
 * keyed with the base64-decoded part of the `whsec_` secret. The URL is not
 * signed, so a proxy in front of the app changes nothing.
 */

export const WEBHOOK_ID_HEADER = "webhook-id";
export const WEBHOOK_TIMESTAMP_HEADER = "webhook-timestamp";
export const WEBHOOK_SIGNATURE_HEADER = "webhook-signature";

/** The tolerance Bird's SDKs and the reference library apply, either way. */
const MAX_SKEW_S = 5 * 60;

export type Verified = { ok: true; id: string } | { ok: false; reason: string };

const keyOf = (secret: string) => Buffer.from(secret.replace(/^whsec_/, ""), "base64");

function mac(secret: string, id: string, timestamp: string, body: Uint8Array): Buffer {
  return createHmac("sha256", keyOf(secret)).update(`${id}.${timestamp}.`).update(body).digest();
}

/** The `webhook-signature` value for a body (the simulator signs with it). */
export function sign(secret: string, id: string, timestamp: string, body: Uint8Array): string {
  return `v1,${mac(secret, id, timestamp, body).toString("base64")}`;
}

/** Accepts when any `v1` entry matches any of our secrets, compared in constant time. */
export function verifyStandardWebhook(
  secrets: readonly string[],
  headers: Headers,
  body: Uint8Array,
  now = new Date(),
): Verified {
  const id = headers.get(WEBHOOK_ID_HEADER);
  const timestamp = headers.get(WEBHOOK_TIMESTAMP_HEADER);
  const signatures = headers.get(WEBHOOK_SIGNATURE_HEADER);
  if (!id || !timestamp || !signatures) return { ok: false, reason: "missing webhook-id, -timestamp or -signature" };
  if (id.length > 200) return { ok: false, reason: "invalid signature: webhook-id too long" };
  const sentAt = /^\d{1,12}$/.test(timestamp) ? Number(timestamp) : Number.NaN;
  if (!(Math.abs(now.getTime() / 1000 - sentAt) <= MAX_SKEW_S))
    return { ok: false, reason: "invalid signature: timestamp more than 5 minutes off" };
  const given = signatures
    .split(" ")
    .map((entry) => entry.split(","))
    .filter(([version, value]) => version === "v1" && value)
    .map(([, value]) => Buffer.from(value!, "base64"));
  for (const secret of secrets) {
    const expected = mac(secret, id, timestamp, body);
    if (given.some((signature) => signature.length === expected.length && timingSafeEqual(signature, expected)))
      return { ok: true, id };
  }
  return { ok: false, reason: "invalid signature: no v1 signature matches" };
}
