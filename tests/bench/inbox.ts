// The staff inbox at two sizes: the list (one page plus every view's count) and search, as GET
// requests to the built app, on a small and a large database seeded in the same run. Reported as
// large / small: an index-backed page should cost about the same at both sizes; what grows with
// the data (the views' counts, a common search word) shows up as a ratio well above 1.
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { encode } from "@auth/core/jwt";
import { sql } from "drizzle-orm";
import { openDatabase, type Db } from "../../app/.server/platform/db/connect";
import { startApp, stopApp } from "../support/app-process";
import { bulkSeedStatements } from "../support/bulk-seed";
import { createBenchDatabase } from "./database";
import { median, percentile, progress } from "./report";

export type InboxScale = { conversations: number; messagesEach: number };

export type InboxTimings = Record<InboxRequest, { p50: number; p95: number }>;
export type InboxResult = {
  small: InboxTimings;
  large: InboxTimings;
  scales: [InboxScale, InboxScale];
  seedSeconds: number[];
};

/** A word only one message carries, and one in about an eighth of all messages. */
const RARE_WORD = "zanzibar";
const REQUESTS = {
  "list (open, all views counted)": "/messages",
  "list: Unassigned view, page 1": "/messages?view=unassigned",
  [`search: rare word "${RARE_WORD}"`]: `/messages?q=${RARE_WORD}`,
  "search: a number": "/messages?q=%2B31%20970%200000%200042",
  'search: common word "refund"': "/messages?q=refund",
} as const;
type InboxRequest = keyof typeof REQUESTS;

const SESSION_COOKIE = "authjs.session-token";

/**
 * Seeds one database (Postgres at `databaseUrl`, else PGlite in a fresh folder) with `scale`
 * conversations and an agent, starts the app on it, and times each request `samples` times.
 */
async function benchOneSize(
  scale: InboxScale,
  storage: { adminUrl?: string },
  appEnv: Record<string, string | undefined>,
  samples: number,
): Promise<{ timings: InboxTimings; seedSeconds: number }> {
  const cleanups: (() => Promise<void>)[] = [];
  try {
    let databaseUrl: string | undefined;
    let dataDir = "";
    if (storage.adminUrl) {
      const database = await createBenchDatabase(storage.adminUrl);
      cleanups.push(() => database.drop());
      databaseUrl = database.url;
    } else {
      dataDir = mkdtempSync(path.join(os.tmpdir(), "birdline-bench-inbox-"));
      cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    }
    const agentId = randomUUID();
    const seeding = performance.now();
    const database = await openDatabase({ databaseUrl, dataDir });
    try {
      // Contacts +3197000000001…: "+31 970 0000 0042" above is one of them, typed the way people do.
      await withoutSecondaryIndexes(database.db, "messages", async () => {
        for (const statement of bulkSeedStatements({ ...scale, prefix: "3197" }))
          await database.db.execute(sql.raw(statement));
      });
      await database.db.execute(
        sql`insert into users (id, email, name, role) values (${agentId}, ${`${agentId}@example.com`}, 'Bench Agent', 'agent')`,
      );
      await database.db.execute(sql`update messages set body = ${`The parcel to ${RARE_WORD} is late`}
        where id = (select id from messages order by created_at limit 1)`);
    } finally {
      await database.close();
    }
    const seedSeconds = (performance.now() - seeding) / 1000;
    progress(
      `inbox: seeded ${scale.conversations.toLocaleString("en")} conversations / ${(scale.conversations * scale.messagesEach).toLocaleString("en")} messages in ${seedSeconds.toFixed(1)} s`,
    );

    const app = await startApp({ ...appEnv, DATABASE_URL: databaseUrl, ...(dataDir && { DATA_DIR: dataDir }) });
    cleanups.push(() => stopApp(app));
    const token = await encode({
      token: { sub: agentId, sid: randomUUID(), sv: 0 },
      secret: appEnv.AUTH_SECRET!,
      salt: SESSION_COOKIE,
    });
    const cookie = `${SESSION_COOKIE}=${token}`;
    const timings = {} as InboxTimings;
    for (const [name, url] of Object.entries(REQUESTS) as [InboxRequest, string][]) {
      const durations: number[] = [];
      // The first request warms caches and the query plan; it is not counted.
      for (let i = 0; i <= samples; i++) {
        const started = performance.now();
        const response = await fetch(`${app.url}${url}`, { headers: { cookie }, redirect: "manual" });
        const body = await response.text();
        if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${body.slice(0, 200)}`);
        if (i > 0) durations.push(performance.now() - started);
      }
      timings[name] = { p50: median(durations), p95: percentile(durations, 95) };
    }
    return { timings, seedSeconds };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}

/**
 * Runs `load` with the table's non-unique indexes dropped, then builds them again from their own
 * definitions: one index build is far faster than a million index inserts (the GIN one above all).
 */
export async function withoutSecondaryIndexes(db: Db, table: string, load: () => Promise<void>) {
  const result = (await db.execute(
    sql`select indexname, indexdef from pg_indexes where tablename = ${table} and indexdef not like 'CREATE UNIQUE%'`,
  )) as unknown;
  const indexes = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as {
    indexname: string;
    indexdef: string;
  }[];
  for (const { indexname } of indexes) await db.execute(sql.raw(`drop index "${indexname}"`));
  await load();
  for (const { indexdef } of indexes) await db.execute(sql.raw(indexdef));
  await db.execute(sql.raw(`analyze ${table}`));
}

export async function benchInbox({
  adminUrl,
  appEnv,
  small = { conversations: 1_000, messagesEach: 10 },
  large = { conversations: 100_000, messagesEach: 10 },
  samples = 10,
}: {
  adminUrl?: string;
  appEnv: Record<string, string | undefined>;
  small?: InboxScale;
  large?: InboxScale;
  samples?: number;
}): Promise<InboxResult> {
  progress(`inbox: small database (${small.conversations.toLocaleString("en")} conversations)`);
  const smallRun = await benchOneSize(small, { adminUrl }, appEnv, samples);
  progress(`inbox: large database (${large.conversations.toLocaleString("en")} conversations)`);
  const largeRun = await benchOneSize(large, { adminUrl }, appEnv, samples);
  return {
    small: smallRun.timings,
    large: largeRun.timings,
    scales: [small, large],
    seedSeconds: [smallRun.seedSeconds, largeRun.seedSeconds],
  };
}

/** Table rows: request, large p50 / p95, small p50 / p95, large / small. */
export function inboxRows(result: InboxResult, ms: (value: number) => string, ratio: (value: number) => string) {
  const [small, large] = result.scales;
  const size = (scale: InboxScale) =>
    `${(scale.conversations / 1000).toLocaleString("en")}k conv / ${((scale.conversations * scale.messagesEach) / 1000).toLocaleString("en")}k msg`;
  return (Object.keys(result.small) as InboxRequest[]).map((name) => [
    `inbox ${name}: p50 / p95`,
    `${ms(result.large[name].p50)} / ${ms(result.large[name].p95)} (${size(large)})`,
    `${ms(result.small[name].p50)} / ${ms(result.small[name].p95)} (${size(small)})`,
    ratio(result.large[name].p50 / result.small[name].p50),
  ]);
}
