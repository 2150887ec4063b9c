import { eq, sql } from "drizzle-orm";
import { db } from "./db/client";
import type { Db } from "./db/connect";
import { rateLimits } from "./db/schema";

/**
 * Fixed-window counters in Postgres, so limits hold across restarts and across
 * every instance sharing the database. One row per (limit, subject).
 */
export type Limit = { name: string; max: number; windowMs: number };

export type LimitState = { limited: boolean; count: number; retryAfterSeconds: number };

const keyOf = (limit: Limit, subject: string) => `${limit.name}:${subject.toLowerCase()}`;

function stateOf(limit: Limit, row: { count: number; resetAt: Date } | undefined): LimitState {
  const now = Date.now();
  if (!row || row.resetAt.getTime() <= now) return { limited: false, count: 0, retryAfterSeconds: 0 };
  return {
    limited: row.count >= limit.max,
    count: row.count,
    retryAfterSeconds: Math.max(1, Math.ceil((row.resetAt.getTime() - now) / 1000)),
  };
}

/** Reads a counter without counting: "would one more attempt be refused?" */
export async function checkLimit(limit: Limit, subject: string): Promise<LimitState> {
  const [row] = await db
    .select()
    .from(rateLimits)
    .where(eq(rateLimits.key, keyOf(limit, subject)));
  return stateOf(limit, row);
}

/** Counts one attempt atomically (one statement, safe under concurrency) and reports the state after it. */
export async function hitLimit(limit: Limit, subject: string, executor: Db = db): Promise<LimitState> {
  const resetAt = new Date(Date.now() + limit.windowMs);
  const expired = sql`${rateLimits.resetAt} <= now()`;
  const [row] = await executor
    .insert(rateLimits)
    .values({ key: keyOf(limit, subject), count: 1, resetAt })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${expired} then 1 else ${rateLimits.count} + 1 end`,
        resetAt: sql`case when ${expired} then excluded.reset_at else ${rateLimits.resetAt} end`,
      },
    })
    .returning({ count: rateLimits.count, resetAt: rateLimits.resetAt });
  const state = stateOf(limit, row);
  return { ...state, limited: state.count > limit.max };
}

/** Takes back one counted attempt, e.g. one that turned out to be a successful sign-in. */
export async function unhitLimit(limit: Limit, subject: string): Promise<void> {
  await db
    .update(rateLimits)
    .set({ count: sql`greatest(${rateLimits.count} - 1, 0)` })
    .where(eq(rateLimits.key, keyOf(limit, subject)));
}

/** Forgets a counter, e.g. failed logins after a successful one. */
export async function clearLimit(limit: Limit, subject: string): Promise<void> {
  await db.delete(rateLimits).where(eq(rateLimits.key, keyOf(limit, subject)));
}

/**
 * Counts one attempt against several limits at once and returns the first that
 * refuses it, if any. Counting before the work (not after it) is what holds
 * when many attempts arrive at the same moment.
 */
export async function hitLimits(checks: [Limit, string][]): Promise<LimitState | null> {
  const states = await Promise.all(checks.map(([limit, subject]) => hitLimit(limit, subject)));
  return states.find((state) => state.limited) ?? null;
}

/**
 * Counts one unit of work against several limits, all or none: when any of
 * them refuses, nothing is counted, so only work actually done uses up a
 * budget. The counts are taken in one transaction whose row locks (taken in
 * key order, so two takers never deadlock) make concurrent takers wait for
 * each other: of many at once, exactly as many pass as the budgets allow.
 * Returns the refusal with the longest wait, if any.
 */
export async function takeLimits(checks: [Limit, string][]): Promise<LimitState | null> {
  const ordered = [...checks].sort(([a, s], [b, t]) => keyOf(a, s).localeCompare(keyOf(b, t)));
  let refusal: LimitState | null = null;
  try {
    await db.transaction(async (tx) => {
      const states: LimitState[] = [];
      for (const [limit, subject] of ordered) states.push(await hitLimit(limit, subject, tx));
      const refusals = states.filter((state) => state.limited);
      if (refusals.length === 0) return;
      refusal = refusals.reduce((longest, state) =>
        state.retryAfterSeconds > longest.retryAfterSeconds ? state : longest,
      );
      tx.rollback();
    });
  } catch (error) {
    if (!refusal) throw error;
  }
  return refusal;
}
/** "75 seconds", "12 minutes": how long a limited person has to wait. */
export function describeWait(seconds: number): string {
  if (seconds < 90) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  return `${Math.ceil(seconds / 60)} minutes`;
}

/** "Too many attempts. Try again in 12 minutes." */
export function retryMessage({ retryAfterSeconds }: LimitState, what = "attempts"): string {
  return `Too many ${what}. Try again in ${describeWait(retryAfterSeconds)}.`;
}
