import { desc, inArray, like, lt, sql } from "drizzle-orm";
import { db } from "../platform/db/client";
import type { Db } from "../platform/db/connect";
import { containing } from "../platform/db/like";
import { webhookRejections } from "../platform/db/schema";
import { log } from "../platform/log";

const EXCERPT_CHARS = 200;
// Credentials may ride in the query or a form body; they never reach the table.
const SECRET_VALUE = /(secret["']?\s*[:=]\s*["']?)[^&"'\s,}]*/gi;

const RETENTION_MS = 30 * 24 * 3_600_000;

/**
 * How many rows the rejection log may hold. One row counts every refusal of a
 * minute with the same route, answer, reason and source, so a misconfiguration
 * refusing everything MessageBird sends takes a few rows a minute: 10,000 is
 * days of that, while the table stays at a few MB and trimming it or sorting it
 * for the admin page takes milliseconds without an index. Only distinct sources
 * or reasons (a flood from many addresses, or one varying what it sends) fill
 * it; then the oldest rows go, and a real problem, recurring with every
 * webhook, keeps showing as the newest.
 *
 * The bound holds between purges without a count per request: each process
 * trims to `maxRows - headroom` once per `headroom` rows it creates. With
 * several instances the table may briefly exceed `maxRows` by `headroom` per
 * further instance, until the next trim or purge.
 */
const REJECTION_CAP = { maxRows: 10_000, headroom: 100 };

/**
 * Log lines about refusals this process writes per minute. One line per new
 * row already keeps a one-client flood to one line a minute; this also bounds a
 * flood of distinct rows and a database outage, where repeats cannot be told.
 */
const LOG_LINES_PER_MINUTE = 100;

export type Rejection = {
  route: string;
  status: number;
  reason: string;
  sourceIp: string | null;
  url: URL;
  body: Uint8Array;
};

// The first row created after boot trims: the table may already be full.
let rowsUntilTrim = 0;
const logBudget = { minute: 0, used: 0 };

/**
 * What an admin needs to see why messages are not arriving: counted in the
 * row of its minute, route, answer, reason and source (best effort), and
 * logged only when that row is new.
 */
export async function recordRejection(rejection: Rejection, cap = REJECTION_CAP): Promise<void> {
  const { route, status, reason } = rejection;
  const sourceIp = rejection.sourceIp ?? "unknown";
  let count: number;
  try {
    const [row] = await db
      .insert(webhookRejections)
      .values({ route, status, reason, sourceIp, excerpt: excerptOf(rejection.url, rejection.body) })
      .onConflictDoUpdate({
        target: [
          webhookRejections.minute,
          webhookRejections.route,
          webhookRejections.status,
          webhookRejections.reason,
          webhookRejections.sourceIp,
        ],
        set: { count: sql`${webhookRejections.count} + 1`, lastAt: sql`now()` },
      })
      .returning({ count: webhookRejections.count });
    count = row!.count;
  } catch (error) {
    logLimited("error", "could not record a webhook rejection", { route, status, reason, sourceIp, error });
    return;
  }
  if (count > 1) return;
  logLimited("warn", "webhook rejected", { route, status, reason, sourceIp });
  if (--rowsUntilTrim > 0) return;
  rowsUntilTrim = cap.headroom;
  await trimRejections(cap.maxRows - cap.headroom).catch((error: unknown) =>
    logLimited("error", "could not trim the webhook rejection log", { error }),
  );
}

function logLimited(level: "warn" | "error", message: string, fields: Record<string, unknown>) {
  const minute = Math.floor(Date.now() / 60_000);
  if (minute !== logBudget.minute) Object.assign(logBudget, { minute, used: 0 });
  logBudget.used++;
  if (logBudget.used <= LOG_LINES_PER_MINUTE) log[level](message, fields);
  else if (logBudget.used === LOG_LINES_PER_MINUTE + 1) {
    log.warn("further webhook rejections this minute are not logged", {
      limit: LOG_LINES_PER_MINUTE,
      counted: "/admin/webhooks",
    });
  }
}

/** Keeps the `keep` rows created last. Rows span a minute at most, so creation orders them as their last refusal does, and is indexed. */
async function trimRejections(keep: number): Promise<void> {
  const older = db
    .select({ id: webhookRejections.id })
    .from(webhookRejections)
    .orderBy(desc(webhookRejections.createdAt), desc(webhookRejections.id))
    .offset(keep);
  await db.delete(webhookRejections).where(inArray(webhookRejections.id, older));
}

/** Periodic: a month is plenty to diagnose, and the cap is restored whatever several instances added meanwhile. */
export async function purgeRejections(cap = REJECTION_CAP): Promise<void> {
  await db.delete(webhookRejections).where(lt(webhookRejections.createdAt, new Date(Date.now() - RETENTION_MS)));
  await trimRejections(cap.maxRows - cap.headroom);
}

export function excerptOf(url: URL, body: Uint8Array): string | null {
  const query = new URLSearchParams(url.search);
  query.delete("secret");
  const head = new TextDecoder().decode(body.subarray(0, EXCERPT_CHARS * 4));
  const text = [query.size > 0 ? `?${query}` : "", head].filter(Boolean).join(" ");
  return text
    ? text.replace(SECRET_VALUE, "$1[redacted]").replaceAll("\u0000", "\uFFFD").slice(0, EXCERPT_CHARS)
    : null;
}

/**
 * For erasing a contact: excerpts that mention their number go, the counts
 * stay. Matched on its digits, as webhooks spell it: `31612345678`,
 * `+31612345678` and `%2B31612345678` alike. The excerpt as a whole goes, since
 * it also holds what they wrote.
 */
export async function forgetNumberInRejections(tx: Db, number: string): Promise<void> {
  await tx
    .update(webhookRejections)
    .set({ excerpt: null })
    .where(like(webhookRejections.excerpt, containing(number.replace(/^\+/, ""))));
}

/** The most recently refused first, for the admin page: a flood is one row with its count, not a page of copies. */
export function recentRejections(limit = 100) {
  return db
    .select({
      id: webhookRejections.id,
      firstAt: webhookRejections.createdAt,
      lastAt: webhookRejections.lastAt,
      count: webhookRejections.count,
      route: webhookRejections.route,
      status: webhookRejections.status,
      reason: webhookRejections.reason,
      sourceIp: webhookRejections.sourceIp,
      excerpt: webhookRejections.excerpt,
    })
    .from(webhookRejections)
    .orderBy(desc(webhookRejections.lastAt), desc(webhookRejections.id))
    .limit(limit);
}
