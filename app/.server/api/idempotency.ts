import { createHash } from "node:crypto";
import { and, eq, lt, sql } from "drizzle-orm";
import { db } from "../platform/db/client";
import { apiIdempotencyKeys } from "../platform/db/schema";
import { problemOf } from "../platform/problem";
import type { ApiAnswer } from "./handler";
import { ApiProblem, PROBLEM_TYPES, unprocessable } from "./problem";

/**
 * `Idempotency-Key` for POST /api/v1/messages: the same key from the same
 * user gets the same answer, and one SMS, for 24 hours.
 *
 * The key's row is claimed (inserted) before the send, and the row's id
 * becomes the message's own idempotency key, so the SMS is stored once
 * whatever happens (outbound.ts refuses a second row with that key). Repeats
 * arriving while the first is under way in this process wait for its answer;
 * one arriving at another instance meanwhile gets a 409 to retry, as the IETF
 * Idempotency-Key draft asks. An answer is kept unless it said "later" (429)
 * or the request failed: then a retry sends, still at most once.
 */

export const IDEMPOTENCY_WINDOW_HOURS = 24;
/** A claim whose answer never came (its instance stopped mid-request) is taken over after this. */
const ABANDONED_AFTER_MS = 30_000;
const KEY = /^[\x21-\x7e]{1,255}$/;

const inFlight = new Map<string, { hash: string; answer: Promise<ApiAnswer> }>();

/** The header's key (an RFC 8941 string, quotes optional), undefined when none was sent. */
export function idempotencyKeyOf(request: Request): string | undefined {
  const header = request.headers.get("Idempotency-Key");
  if (header === null) return undefined;
  const key = header.trim().replace(/^"(.*)"$/, "$1");
  if (!KEY.test(key))
    throw new ApiProblem(
      problemOf(400, "Idempotency-Key is 1 to 255 visible ASCII characters, such as a UUID.", {
        type: PROBLEM_TYPES.invalid,
        title: "Invalid request",
      }),
    );
  return key;
}

/** What "the same request" means: the same request as parsed, so spacing and escapes in the JSON do not matter. */
export const requestHash = (request: unknown) => createHash("sha256").update(JSON.stringify(request)).digest("hex");

/**
 * Runs `send` once per (user, key) and request: `messageKey` is what the
 * message is stored under. Without a key every request sends.
 */
export function once(
  userId: string,
  key: string | undefined,
  request: unknown,
  send: (messageKey: string) => Promise<ApiAnswer>,
): Promise<ApiAnswer> {
  if (key === undefined) return send(`api:${crypto.randomUUID()}`);
  const hash = requestHash(request);
  const id = `${userId}\n${key}`;
  const running = inFlight.get(id);
  if (running) return running.hash === hash ? running.answer : Promise.reject(mismatch());
  const answer = claimAndSend(userId, key, hash, send).finally(() => inFlight.delete(id));
  inFlight.set(id, { hash, answer });
  return answer;
}

async function claimAndSend(
  userId: string,
  key: string,
  hash: string,
  send: (messageKey: string) => Promise<ApiAnswer>,
): Promise<ApiAnswer> {
  const mine = and(eq(apiIdempotencyKeys.userId, userId), eq(apiIdempotencyKeys.key, key));
  await db.delete(apiIdempotencyKeys).where(and(mine, lt(apiIdempotencyKeys.createdAt, windowStart())));
  const [claimed] = await db
    .insert(apiIdempotencyKeys)
    .values({ userId, key, requestHash: hash })
    .onConflictDoNothing()
    .returning();
  const [row] = claimed ? [claimed] : await db.select().from(apiIdempotencyKeys).where(mine);
  // Gone between the two statements (a 429 given back, or the purge): claim again.
  if (!row) return claimAndSend(userId, key, hash, send);
  if (row.requestHash !== hash) throw mismatch();
  if (row.responseStatus !== null) return { status: row.responseStatus, body: JSON.parse(row.responseBody!) };
  if (!claimed && Date.now() - row.createdAt.getTime() < ABANDONED_AFTER_MS) throw inProgress();

  const answer = await send(`api:${row.id}`);
  if (answer.status === 429) await db.delete(apiIdempotencyKeys).where(eq(apiIdempotencyKeys.id, row.id));
  else
    await db
      .update(apiIdempotencyKeys)
      .set({ responseStatus: answer.status, responseBody: JSON.stringify(answer.body) })
      .where(eq(apiIdempotencyKeys.id, row.id));
  return answer;
}

const windowStart = () => sql`now() - make_interval(hours => ${IDEMPOTENCY_WINDOW_HOURS})`;

/** Keys past their 24 hours, for the purge job. */
export async function purgeIdempotencyKeys(): Promise<void> {
  await db.delete(apiIdempotencyKeys).where(lt(apiIdempotencyKeys.createdAt, windowStart()));
}

const mismatch = () =>
  unprocessable(
    "This Idempotency-Key was used for another request in the last 24 hours. Use a new key for a new message.",
    undefined,
    PROBLEM_TYPES.keyMismatch,
  );

const inProgress = () =>
  new ApiProblem(
    problemOf(409, "A request with this Idempotency-Key is still under way. Retry in a moment for its answer.", {
      type: PROBLEM_TYPES.keyInFlight,
      title: "Request in progress",
    }),
    { "Retry-After": "1" },
  );
