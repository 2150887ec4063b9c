// /reports at three sizes (1k, 10k and 100k conversations, ten messages each, over a year), as GET
// requests to the built app, each size on a database of its own seeded in the same run. The goal:
// at 100k conversations / 1M messages a page in at most 500 ms and at most 3× its time at 1k.
import { randomUUID } from "node:crypto";
import { encode } from "@auth/core/jwt";
import { sql } from "drizzle-orm";
import { openDatabase } from "../../app/.server/platform/db/connect";
import { startApp, stopApp } from "../support/app-process";
import { reportsSeedStatements } from "../support/reports-seed";
import { createBenchDatabase } from "./database";
import { withoutSecondaryIndexes } from "./inbox";
import { median, percentile, progress } from "./report";

const REQUESTS = {
  "last 7 days (the default)": "/reports",
  "last 30 days": "/reports?period=30d",
  "last 90 days": "/reports?period=90d",
  "last 90 days, one number": "/reports?period=90d&number=",
  "CSV per day, last 90 days": "/reports.csv?period=90d&table=daily",
} as const;
type ReportRequest = keyof typeof REQUESTS;

export type ReportsTimings = Record<ReportRequest, { p50: number; p95: number }>;
export type ReportsResult = { sizes: { conversations: number; seedSeconds: number; timings: ReportsTimings }[] };

const SESSION_COOKIE = "authjs.session-token";
const OUR_NUMBERS = ["+447700900000", "+3197010203040"];

async function benchOneSize(
  conversations: number,
  adminUrl: string,
  appEnv: Record<string, string | undefined>,
  samples: number,
  defer: (cleanup: () => Promise<void>) => void,
) {
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
  };
  // An interrupted run still stops this size's app and drops its database.
  defer(cleanUp);
  try {
    const database = await createBenchDatabase(adminUrl);
    cleanups.push(() => database.drop());
    const agents = [randomUUID(), randomUUID(), randomUUID()];
    const seeding = performance.now();
    const opened = await openDatabase({ databaseUrl: database.url, dataDir: "" });
    let numberId = "";
    try {
      const db = opened.db;
      for (const [index, id] of agents.entries())
        await db.execute(
          sql`insert into users (id, email, name, role) values (${id}, ${`${id}@example.com`}, ${`Agent ${index + 1}`}, 'agent')`,
        );
      const [row] = (await db.execute(
        sql`insert into numbers (number, label) values (${OUR_NUMBERS[1]}, 'Second') returning id`,
      )) as unknown as { id: string }[];
      numberId = row!.id;
      await withoutSecondaryIndexes(db, "messages", async () => {
        for (const statement of reportsSeedStatements({
          conversations,
          prefix: "3197",
          ourNumbers: OUR_NUMBERS,
          agentIds: agents,
        }))
          await db.execute(sql.raw(statement));
      });
      // What autovacuum does after a bulk load: visibility maps, so index-only scans stay index-only.
      await db.execute(sql.raw("vacuum analyze messages, conversation_events"));
    } finally {
      await opened.close();
    }
    const seedSeconds = (performance.now() - seeding) / 1000;
    progress(
      `reports: seeded ${conversations.toLocaleString("en")} conversations / ${(conversations * 10).toLocaleString("en")} messages in ${seedSeconds.toFixed(1)} s`,
    );
    const app = await startApp({ ...appEnv, DATABASE_URL: database.url });
    cleanups.push(() => stopApp(app));
    const token = await encode({
      token: { sub: agents[0], sid: randomUUID(), sv: 0 },
      secret: appEnv.AUTH_SECRET!,
      salt: SESSION_COOKIE,
    });
    const headers = { cookie: `${SESSION_COOKIE}=${token}; tz=Europe%2FAmsterdam` };
    // The seed marked the whole history stale, like the upgrade that adds the rollups: the first report
    // rolls it up (the cron job would within a minute), then autovacuum's analyze of the new rows.
    const rollingUp = performance.now();
    const first = await fetch(`${app.url}/reports`, { headers, redirect: "manual" });
    if (first.status !== 200)
      throw new Error(`/reports answered ${first.status}: ${(await first.text()).slice(0, 200)}`);
    await first.text();
    const rollupSeconds = (performance.now() - rollingUp) / 1000;
    const analyzing = await openDatabase({ databaseUrl: database.url, dataDir: "", migrate: false });
    try {
      await analyzing.db.execute(sql.raw("vacuum analyze report_starts, report_volume, report_waiting"));
    } finally {
      await analyzing.close();
    }
    progress(`reports: rolled up in ${rollupSeconds.toFixed(1)} s`);
    const timings = {} as ReportsTimings;
    for (const [name, path] of Object.entries(REQUESTS) as [ReportRequest, string][]) {
      const url = `${app.url}${path.endsWith("=") ? path + numberId : path}`;
      const durations: number[] = [];
      // The first request warms caches and the query plans; it is not counted.
      for (let i = 0; i <= samples; i++) {
        const started = performance.now();
        const response = await fetch(url, { headers, redirect: "manual" });
        const body = await response.text();
        if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${body.slice(0, 200)}`);
        if (i > 0) durations.push(performance.now() - started);
      }
      timings[name] = { p50: median(durations), p95: percentile(durations, 95) };
    }
    return { conversations, seedSeconds, timings };
  } finally {
    await cleanUp();
  }
}

export async function benchReports({
  adminUrl,
  appEnv,
  sizes = [1_000, 10_000, 100_000],
  samples = 10,
  defer,
}: {
  adminUrl: string | undefined;
  appEnv: Record<string, string | undefined>;
  sizes?: number[];
  samples?: number;
  defer: (cleanup: () => Promise<void>) => void;
}): Promise<ReportsResult> {
  if (!adminUrl) throw new Error("the reports bench needs Postgres: set BENCH_DATABASE_URL or TEST_DATABASE_URL");
  const result: ReportsResult = { sizes: [] };
  for (const conversations of sizes) {
    progress(`reports: ${conversations.toLocaleString("en")} conversations`);
    result.sizes.push(await benchOneSize(conversations, adminUrl, appEnv, samples, defer));
  }
  return result;
}

/** Table rows: request, largest size's p50 / p95, the smallest's, and largest / smallest (medium in brackets). */
export function reportsRows(result: ReportsResult, ms: (value: number) => string, ratio: (value: number) => string) {
  const small = result.sizes[0]!;
  const large = result.sizes.at(-1)!;
  const middle = result.sizes.length > 2 ? result.sizes[1]! : null;
  const size = (conversations: number) => `${(conversations / 1000).toLocaleString("en")}k conv`;
  return (Object.keys(small.timings) as ReportRequest[]).map((name) => [
    `reports ${name}: p50 / p95`,
    `${ms(large.timings[name].p50)} / ${ms(large.timings[name].p95)} (${size(large.conversations)})`,
    `${ms(small.timings[name].p50)} / ${ms(small.timings[name].p95)} (${size(small.conversations)})${
      middle ? `; ${ms(middle.timings[name].p50)} (${size(middle.conversations)})` : ""
    }`,
    `${ratio(large.timings[name].p50 / small.timings[name].p50)}${
      middle ? ` (vs 10k: ${ratio(large.timings[name].p50 / middle.timings[name].p50)})` : ""
    }`,
  ]);
}
