import { readFileSync } from "node:fs";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { startEmbeddedPostgres } from "./embedded-postgres";
import { migrateJobQueue } from "../jobs";
import { clientOptions, openListener, rerunIfNeverSent, survivableClient } from "./postgres-js";
import * as schema from "./schema";

/** The database, or the transaction `db.transaction` hands its callback: domain functions take either. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export type Database = {
  /** `embedded`: the cluster under DATA_DIR that this process started (and stops on close). */
  kind: "postgres" | "embedded";
  /** Its connection string, for the job queue's own pool. */
  url: string;
  db: Db;
  /** True when `select 1` answers within the timeout. */
  ping(timeoutMs?: number): Promise<boolean>;
  /** Subscribe to a NOTIFY channel; resolves once listening. `onReconnect` fires after a dropped listener is back. */
  listen(channel: string, onMessage: (payload: string) => void, onReconnect?: () => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
};

export const MIGRATIONS_DIR = path.resolve(process.cwd(), "drizzle");
const CASING = "snake_case" as const;
// Any constant works; it only has to be the same for every instance migrating one database.
const MIGRATION_LOCK = 7_411_002;

export type ConnectOptions = { databaseUrl?: string; dataDir: string; migrate?: boolean };

export async function openDatabase({ databaseUrl, dataDir, migrate = true }: ConnectOptions): Promise<Database> {
  if (databaseUrl) return openPostgres(databaseUrl, migrate);
  // Plain progress lines for whoever ran `npm start`, like the server's own "listening on".
  const embedded = await startEmbeddedPostgres({ dataDir, log: (line) => process.stdout.write(`${line}\n`) });
  try {
    const database = await openPostgres(embedded.url, migrate);
    return {
      ...database,
      kind: "embedded",
      async close() {
        await database.close();
        await embedded.stop();
      },
    };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}

async function openPostgres(url: string, migrate: boolean): Promise<Database> {
  if (migrate) await migratePostgresLocked(url);
  const client = postgres(url, clientOptions({ max: 10, connect_timeout: 5 }));
  const listener = openListener(url);
  const db = drizzlePostgres({ client: survivableClient(client), schema, casing: CASING }) as unknown as Db;
  return {
    kind: "postgres",
    url,
    db,
    ping: (timeoutMs = 2000) =>
      withTimeout(
        rerunIfNeverSent(client`select 1`).then(() => true),
        timeoutMs,
      ),
    listen: (channel, onMessage, onReconnect) => listener.listen(channel, onMessage, onReconnect),
    async notify(channel, payload) {
      await rerunIfNeverSent(client`select pg_notify(${channel}, ${payload})`);
    },
    async close() {
      await Promise.all([client.end({ timeout: 5 }), listener.close()]);
    },
  };
}

async function migratePostgresLocked(url: string) {
  // Several instances may boot at once against one database: serialize them.
  const client = postgres(url, { max: 1, connect_timeout: 10, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await announceLongMigration(client);
    await migratePostgres(drizzlePostgres({ client, casing: CASING }), { migrationsFolder: MIGRATIONS_DIR });
    await migrateJobQueue(url);
    await client`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** Rows of `messages` a migration rewrites per second, measured: about 8 s per million (decision 004). */
const MESSAGES_MIGRATED_PER_SECOND = 125_000;

/**
 * Says at boot when pending migrations meet a large message table (a rewrite
 * there takes seconds per million rows, before the app answers), so the
 * operator waits instead of restarting it. Silent for small databases.
 */
async function announceLongMigration(client: postgres.Sql) {
  const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_DIR, "meta/_journal.json"), "utf8")) as {
    entries: unknown[];
  };
  const [state] = await client<{ applied: number | null; messages: number | null }[]>`
    select (select count(*)::int from drizzle.__drizzle_migrations
            where to_regclass('drizzle.__drizzle_migrations') is not null) as applied,
           (select reltuples::bigint::int from pg_class where oid = to_regclass('public.messages')) as messages`.catch(
    // A first boot has no migrations table to count: nothing is large yet.
    () => [{ applied: null, messages: null }],
  );
  const pending = journal.entries.length - (state?.applied ?? journal.entries.length);
  const messages = state?.messages ?? 0;
  if (pending <= 0 || messages < 100_000) return;
  const seconds = Math.ceil(messages / MESSAGES_MIGRATED_PER_SECOND);
  process.stdout.write(
    `Updating the database (${pending} migration${pending === 1 ? "" : "s"}) for about ${messages.toLocaleString("en")} messages: ` +
      `this may take up to ${seconds} s before Birdline answers. Do not stop it.\n`,
  );
}

function withTimeout(check: Promise<boolean>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  return Promise.race([check.catch(() => false), timeout]).finally(() => clearTimeout(timer));
}
