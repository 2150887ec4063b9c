import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { afterAll, expect, test } from "vitest";
import { MIGRATIONS_DIR, openDatabase, type Database } from "~/.server/platform/db/connect";
import { createTestDatabase } from "../setup/test-database";

/**
 * An install from before several numbers existed: its database at the last
 * migration before `numbers`, with data in it, then upgraded the way a new
 * release upgrades it at boot.
 */

type Journal = { entries: { tag: string }[] };

/** A copy of the migrations folder that stops just before the numbers migration. */
function migrationsBeforeNumbers(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "birdline-migrations-"));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  const journalPath = path.join(dir, "meta/_journal.json");
  const journal = JSON.parse(readFileSync(journalPath, "utf8")) as Journal;
  const first = journal.entries.findIndex((entry) => entry.tag.includes("numbers"));
  expect(first, "a numbers migration exists").toBeGreaterThan(0);
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, first) }));
  return dir;
}

const migrateTo = (database: Database, migrationsFolder: string) =>
  migratePostgres(database.db as unknown as PostgresJsDatabase, { migrationsFolder });

const testDatabase = await createTestDatabase();
const database = await openDatabase({ databaseUrl: testDatabase.databaseUrl, dataDir: "unused", migrate: false });
const oldMigrations = migrationsBeforeNumbers();
afterAll(async () => {
  await database.close();
  await testDatabase.drop();
  rmSync(oldMigrations, { recursive: true, force: true });
});

const all = async <T>(query: ReturnType<typeof sql>): Promise<T[]> => [
  ...((await database.db.execute(query)) as unknown as T[]),
];

test("upgrading a database from before several numbers keeps every conversation on its number and re-homes nothing", async () => {
  await migrateTo(database, oldMigrations);
  const { db } = database;
  await db.execute(sql`insert into users (id, email, phone_number, phone_verified_at) values
    ('u1', 'ada@example.com', '+31612345678', now())`);
  await db.execute(sql`insert into conversations (id, contact_number, virtual_number, user_id, opted_out_at, last_message_at) values
    ('00000000-0000-4000-8000-000000000001', '+31612345678', '+447700900000', 'u1', null, now()),
    ('00000000-0000-4000-8000-000000000002', '+31687654321', '+447700900000', null, now(), now()),
    ('00000000-0000-4000-8000-000000000003', '+31611112222', '+31970102030', null, null, now())`);
  await db.execute(sql`insert into messages (conversation_id, direction, body, from_number, to_number, status) values
    ('00000000-0000-4000-8000-000000000001', 'inbound', 'Hi', '+31612345678', '+447700900000', 'received'),
    ('00000000-0000-4000-8000-000000000002', 'inbound', 'STOP', '+31687654321', '+447700900000', 'received'),
    ('00000000-0000-4000-8000-000000000003', 'inbound', 'Hallo', '+31611112222', '+31970102030', 'received')`);
  const before = await all<Record<string, unknown>>(sql`select * from conversations order by id`);

  await migrateTo(database, MIGRATIONS_DIR);

  expect(await all(sql`select * from conversations order by id`)).toEqual(before);
  expect(await all(sql`select count(*)::int as n from messages`)).toEqual([{ n: 3 }]);
  // Both numbers the old conversations were on are ours now, unlisted until an admin (or the boot, for the default) names them.
  expect(await all(sql`select number, label, archived_at from numbers order by number`)).toEqual([
    { number: "+31970102030", label: null, archived_at: null },
    { number: "+447700900000", label: null, archived_at: null },
  ]);
  // The same contact may now write to another of our numbers, but only once per number.
  await db.execute(
    sql`insert into conversations (contact_number, virtual_number) values ('+31612345678', '+31970102030')`,
  );
  await expect(
    db.execute(
      sql`insert into conversations (contact_number, virtual_number) values ('+31612345678', '+447700900000')`,
    ),
  ).rejects.toThrow();
});
