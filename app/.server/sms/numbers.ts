import { asc, count, eq, isNull, sql } from "drizzle-orm";
import { canReceive, numberName, whyNotStartable } from "~/lib/our-numbers";
import { db } from "../platform/db/client";
import type { Db } from "../platform/db/connect";
import { preparedRows } from "../platform/db/prepared";
import { conversations, numbers } from "../platform/db/schema";
import { env } from "../platform/env";
import { isUuid } from "../platform/db/uuid";

/**
 * Our numbers, decided here and nowhere else: which number is the default,
 * which ones exist, and which may start a conversation. Every reply goes out
 * from its conversation's number; only the app's own SMS (verification codes)
 * use the default.
 */

export type OurNumber = typeof numbers.$inferSelect & { isDefault: boolean };

/**
 * The default number (or alphanumeric sender): MESSAGEBIRD_SENDER_ID, or the
 * simulator's number. The only reader of that setting.
 */
export const defaultSender = (): string => env.messagebird.senderId;

const DEFAULT_LABEL = "Main number";

/**
 * The configured sender is always one of our numbers, listed and not archived:
 * an install from before numbers existed upgrades with nothing to do, and
 * changing MESSAGEBIRD_SENDER_ID brings the new one in.
 */
export async function ensureDefaultNumber(): Promise<void> {
  await db
    .insert(numbers)
    .values({ number: defaultSender(), label: DEFAULT_LABEL })
    .onConflictDoUpdate({
      target: numbers.number,
      set: { label: sql`coalesce(${numbers.label}, excluded.label)`, archivedAt: null },
    });
}

// At boot (this module loads with the server build), before the first request can need it.
await ensureDefaultNumber();

/**
 * Records the numbers someone texted, unlisted when nobody added it, inside the
 * transaction storing the SMS: nothing sent to us is dropped for landing on a
 * number we did not know.
 */
export async function noteNumbersTexted(tx: Db, texted: string[]): Promise<void> {
  // Sorted and once each: concurrent batches lock new rows in one order, and a multi-row insert takes each key once.
  const distinct = [...new Set(texted)].sort();
  await preparedRows(
    tx,
    "note_numbers_texted",
    sql`insert into ${numbers} (number)
        select number from jsonb_array_elements_text(${JSON.stringify(distinct)}::jsonb) as v(number)
        on conflict (number) do nothing`,
  );
}

const withDefault = (row: typeof numbers.$inferSelect): OurNumber => ({
  ...row,
  isDefault: row.number === defaultSender(),
});

// Default first, then named ones by name, then unlisted ones.
const ordered = [
  sql`${numbers.number} = ${defaultSender()} desc`,
  sql`${numbers.label} asc nulls last`,
  asc(numbers.number),
];

/** Every number with how many conversations it holds, for admins. */
export async function numbersWithCounts(): Promise<(OurNumber & { conversations: number })[]> {
  const counts = db
    .select({ number: conversations.virtualNumber, total: count().as("total") })
    .from(conversations)
    .groupBy(conversations.virtualNumber)
    .as("counts");
  const rows = await db
    .select({ number: numbers, conversations: sql<number>`coalesce(${counts.total}, 0)::int` })
    .from(numbers)
    .leftJoin(counts, eq(counts.number, numbers.number))
    .orderBy(...ordered);
  return rows.map((row) => ({ ...withDefault(row.number), conversations: row.conversations }));
}

/** Every number, archived ones included: their history stays findable. */
export async function listNumbers(): Promise<OurNumber[]> {
  return (
    await db
      .select()
      .from(numbers)
      .orderBy(...ordered)
  ).map(withDefault);
}

/** Numbers a new conversation may start on (see whyNotStartable), default first. */
export async function startableNumbers(): Promise<OurNumber[]> {
  return (await listNumbers()).filter((number) => whyNotStartable(number) === null);
}

/** The numbers a handset can text: startable ones that can receive. */
export async function textableNumbers(): Promise<OurNumber[]> {
  return (await startableNumbers()).filter((number) => canReceive(number.number));
}

/** A number by id, or null for anything else (a 404 upstream). */
export async function findNumber(numberId: string): Promise<OurNumber | null> {
  if (!isUuid(numberId)) return null;
  const [row] = await db.select().from(numbers).where(eq(numbers.id, numberId));
  return row ? withDefault(row) : null;
}

/** What a conversation's number is called on screen; one missing from the table is called by itself. */
export async function nameOfNumber(number: string): Promise<string> {
  const [row] = await db.select({ label: numbers.label }).from(numbers).where(eq(numbers.number, number));
  return numberName({ label: row?.label ?? null, number });
}

export type NumberChange = { ok: true } | { ok: false; field: "number" | "numberId"; message: string; status: number };

/** Adds a number; one that only texted in so far (unlisted) gets its label instead. */
export async function addNumber({ number, label }: { number: string; label: string }): Promise<NumberChange> {
  const [added] = await db
    .insert(numbers)
    .values({ number, label })
    .onConflictDoUpdate({ target: numbers.number, set: { label }, setWhere: isNull(numbers.label) })
    .returning({ id: numbers.id });
  if (added) return { ok: true };
  return { ok: false, field: "number", message: "This number is already one of ours.", status: 409 };
}

export async function renameNumber({ numberId, label }: { numberId: string; label: string }): Promise<NumberChange> {
  const [renamed] = await db
    .update(numbers)
    .set({ label })
    .where(eq(numbers.id, numberId))
    .returning({ id: numbers.id });
  return renamed ? { ok: true } : notOurs;
}

/** Archives a number; the default cannot be, since verification codes go out from it. */
export async function archiveNumber({ numberId }: { numberId: string }): Promise<NumberChange> {
  const number = await findNumber(numberId);
  if (!number) return notOurs;
  if (number.isDefault) {
    return {
      ok: false,
      field: "numberId",
      message: "The default number sends the verification codes. Change MESSAGEBIRD_SENDER_ID first.",
      status: 409,
    };
  }
  await db
    .update(numbers)
    .set({ archivedAt: sql`coalesce(${numbers.archivedAt}, now())` })
    .where(eq(numbers.id, numberId));
  return { ok: true };
}

const notOurs: NumberChange = { ok: false, field: "numberId", message: "That is not one of our numbers.", status: 404 };
