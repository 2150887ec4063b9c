import { desc } from "drizzle-orm";
import { db } from "../db/client";
import { webhookRejections } from "../db/schema";
import { log } from "../log";

const EXCERPT_CHARS = 200;
// Credentials may ride in the query or a form body; they never reach the table.
const SECRET_VALUE = /(secret["']?\s*[:=]\s*["']?)[^&"'\s,}]*/gi;

export type Rejection = {
  route: string;
  status: number;
  reason: string;
  sourceIp: string | null;
  url: URL;
  body: Uint8Array;
};

/** What an admin needs to see why messages are not arriving: stored (best effort) and logged once. */
export async function recordRejection(rejection: Rejection): Promise<void> {
  const { route, status, reason, sourceIp } = rejection;
  log.warn("webhook rejected", { route, status, reason, sourceIp });
  try {
    await db.insert(webhookRejections).values({ route, status, reason, sourceIp: sourceIp ?? "unknown", excerpt: excerptOf(rejection.url, rejection.body) });
  } catch (error) {
    log.error("could not record a webhook rejection", { route, error });
  }
}

export function excerptOf(url: URL, body: Uint8Array): string | null {
  const query = new URLSearchParams(url.search);
  query.delete("secret");
  const head = new TextDecoder().decode(body.subarray(0, EXCERPT_CHARS * 4));
  const text = [query.size > 0 ? `?${query}` : "", head].filter(Boolean).join(" ");
  return text ? text.replace(SECRET_VALUE, "$1[redacted]").replaceAll("\u0000", "\uFFFD").slice(0, EXCERPT_CHARS) : null;
}

/** The newest refusals first, for the admin page. */
export function recentRejections(limit = 100) {
  return db.select().from(webhookRejections).orderBy(desc(webhookRejections.createdAt), desc(webhookRejections.id)).limit(limit);
}
