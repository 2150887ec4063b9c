// `npm run bench`: webhook throughput, live-update fan-out, the staff inbox,
// the outbox and the reports of the built app, each printed as a ratio against a baseline
// measured in the same run (the machines are shared and noisy: never compare
// absolute numbers across runs). BENCH_ONLY=outbox (or a comma-separated list
// of parts) reruns just those. Talks to 127.0.0.1 only; cleans up its
// processes and database however it ends.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { startEmbeddedPostgres } from "../../app/.server/platform/db/embedded-postgres";
import { startApp, stopApp } from "../support/app-process";
import { createBenchDatabase } from "./database";
import { arrivalPercentiles, benchEvents, type EventsResult } from "./events";
import { memoryProbeEnv, openFileLimit, startBaseline, stopChild } from "./processes";
import { median, ms, percentile, progress, ratio, table } from "./report";
import {
  deliveryReports,
  duplicates,
  newMessages,
  phase,
  seedReportedMessages,
  variant,
  warmUp,
  type PhaseSummary,
  type Workload,
} from "./webhooks";
import { benchInbox, inboxRows, type InboxResult } from "./inbox";
import { benchOutbox, outboxRows, type OutboxResult } from "./outbox";
import { benchReports, reportsRows, type ReportsResult } from "./reports";

const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 5);
const STREAMS = Number(process.env.BENCH_STREAMS ?? 1_000);
const OUTBOX_MESSAGES = Number(process.env.BENCH_OUTBOX_MESSAGES ?? 1_000);
// The app's default SMS_SEND_CONCURRENCY, set explicitly so the app and the bare loop cannot drift apart.
const OUTBOX_CONCURRENCY = 4;
// 50 spaced replies take about 5 s; their nearest-rank p99 is the worst one (100 give a real p99).
const OUTBOX_PICKUPS = Number(process.env.BENCH_OUTBOX_PICKUPS ?? 50);
const ROUNDS = 3;
// What MessageBird's bursts look like (200) and a steady stream (32).
const WEBHOOK_PHASES: Workload[] = [
  newMessages(32, ROUNDS),
  newMessages(200, ROUNDS),
  duplicates(32, 2),
  deliveryReports(200, ROUNDS),
  deliveryReports(32, ROUNDS),
];
// A nearest-rank p99 needs 100 rounds to be more than the one worst round.
const FAN_OUT_ROUNDS = 100;
// Sockets for the streams on both ends plus the database pool and files: well above N.
const MIN_OPEN_FILES = 4_096;
// A hung run must still end (and clean up) by itself.
const WATCHDOG_MS = 8 * 60_000;

const PARTS = ["webhooks", "events", "inbox", "outbox", "reports"] as const;
type Part = (typeof PARTS)[number];
const ONLY = parts(process.env.BENCH_ONLY);

function parts(only: string | undefined): ReadonlySet<Part> {
  if (!only) return new Set(PARTS);
  const named = only.split(",").map((part) => part.trim());
  const unknown = named.filter((part) => !(PARTS as readonly string[]).includes(part));
  if (unknown.length) throw new Error(`BENCH_ONLY: no part ${unknown.join(", ")}; the parts are ${PARTS.join(", ")}`);
  return new Set(named as Part[]);
}

const AUTH_SECRET = "bench-auth-secret-that-is-at-least-32-characters";
const WEBHOOK_SECRET = "bench-webhook-secret-0123456789";
const APP_ENV = {
  APP_URL: "http://localhost:3000",
  AUTH_SECRET,
  MESSAGEBIRD_WEBHOOK_SECRET: WEBHOOK_SECRET,
  LOG_LEVEL: "warn",
};

const cleanups: (() => Promise<void>)[] = [];
async function cleanUp() {
  for (const cleanup of cleanups.splice(0).reverse())
    await cleanup().catch((error: unknown) => console.error(`cleanup failed: ${String(error)}`));
}
function abort(reason: string, code: number) {
  console.error(reason);
  void cleanUp().finally(() => process.exit(code));
}
process.once("SIGINT", () => abort("interrupted; cleaning up", 130));
// Seeding a million messages for the reports takes minutes of its own.
const watchdog = WATCHDOG_MS + (ONLY.has("reports") ? 12 * 60_000 : 0);
setTimeout(() => abort(`bench did not finish within ${watchdog / 60_000} minutes; stopping`, 1), watchdog).unref();

function ensureBuild() {
  if (existsSync("build/server/index.js")) return;
  progress("no build/server/index.js: running `npx react-router build` (about a minute)…");
  const result = spawnSync("npx", ["react-router", "build"], { stdio: "inherit" });
  if (result.status !== 0) throw new Error("the build failed; see above");
}

type Storage = { databaseUrl: string; note: string };

/** A fresh database on BENCH_DATABASE_URL or TEST_DATABASE_URL, else on an embedded cluster of the bench's own. */
async function prepareStorage(): Promise<Storage> {
  let adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  let where = "";
  if (!adminUrl) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "birdline-bench-"));
    // Run as root, Postgres runs as its own user, which must reach the cluster inside.
    chmodSync(dataDir, 0o755);
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const cluster = await startEmbeddedPostgres({ dataDir, log: progress });
    cleanups.push(() => cluster.stop());
    adminUrl = cluster.adminUrl;
    where = "embedded ";
  }
  const database = await createBenchDatabase(adminUrl);
  cleanups.push(() => database.drop());
  const admin = postgres(database.url, { max: 1, onnotice: () => {} });
  const [{ server_version }] = (await admin`show server_version`) as unknown as [{ server_version: string }];
  await admin.end();
  progress(`database: fresh database ${database.name} on ${where}Postgres (dropped at the end)`);
  return { databaseUrl: database.url, note: `${where}Postgres ${server_version}` };
}

async function countRows(databaseUrl: string): Promise<{ app: number; baseline: number }> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql<{ app: number; baseline: number }[]>`
      select count(*) filter (where provider_message_id like 'app-%')::int as app,
             count(*) filter (where provider_message_id like 'base-%')::int as baseline
      from messages`;
    return row!;
  } finally {
    await sql.end();
  }
}

async function main() {
  const cpus = os.cpus();
  const machine = `${cpus.length} × ${cpus[0]?.model.trim() ?? "unknown CPU"}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load average at start ${os.loadavg()[0]!.toFixed(2)}`;
  progress(`machine: ${machine}${ONLY.size < PARTS.length ? `; BENCH_ONLY: ${[...ONLY].join(", ")}` : ""}`);
  ensureBuild();
  const storage = await prepareStorage();
  const appEnv = { ...APP_ENV, DATABASE_URL: storage.databaseUrl };

  const webhooks = ONLY.has("webhooks") ? await benchWebhookThroughput(appEnv, storage) : undefined;
  const events = ONLY.has("events") ? await benchEventStreams(appEnv) : undefined;
  // Databases of its own, a small and a large one.
  const inbox = ONLY.has("inbox")
    ? await benchInbox({ adminUrl: process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL, appEnv: APP_ENV })
    : undefined;
  const outbox = ONLY.has("outbox")
    ? await benchOutbox({
        databaseUrl: storage.databaseUrl,
        appEnv: APP_ENV,
        messages: OUTBOX_MESSAGES,
        concurrency: OUTBOX_CONCURRENCY,
        rounds: ROUNDS,
        pickups: OUTBOX_PICKUPS,
        defer: (cleanup) => cleanups.push(cleanup),
      })
    : undefined;

  const reports = ONLY.has("reports")
    ? await benchReports({
        adminUrl: process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL,
        appEnv: APP_ENV,
        defer: (cleanup) => cleanups.push(cleanup),
      })
    : undefined;

  await cleanUp();
  printSummary(machine, storage, webhooks, events, inbox, outbox, reports);
}

/** 1. Webhook throughput, the app against the bare server. */
async function benchWebhookThroughput(appEnv: Record<string, string>, storage: Storage) {
  progress("webhooks: starting the built app and the baseline server");
  const app = await startApp(appEnv);
  cleanups.push(() => stopApp(app));
  const baseline = await startBaseline({
    MESSAGEBIRD_WEBHOOK_SECRET: WEBHOOK_SECRET,
    DATABASE_URL: storage.databaseUrl,
  });
  cleanups.push(() => stopChild(baseline.process));
  const baselineLabel = "baseline (node:http + postgres.js)";
  const appVariant = variant({ label: "app", url: app.url, idPrefix: "app" });
  const baselineVariant = variant({ label: baselineLabel, url: baseline.url, idPrefix: "base" });
  const webhookOptions = { secret: WEBHOOK_SECRET, roundSeconds: ROUND_SECONDS };
  progress("webhooks: seeding outbound messages for the delivery reports");
  await seedReportedMessages(storage.databaseUrl, ["app", "base"]);
  await warmUp(appVariant, baselineVariant, webhookOptions, 32);
  const webhooks: PhaseSummary[] = [];
  for (const workload of WEBHOOK_PHASES)
    webhooks.push(await phase(appVariant, baselineVariant, workload, webhookOptions));
  const rows = await countRows(storage.databaseUrl);
  // Each run stops with up to one request per connection in flight: stored, but its answer not counted.
  const inFlight =
    32 + WEBHOOK_PHASES.reduce((sum, w) => sum + (w.expect.includes("stored") ? w.connections * w.rounds : 0), 0);
  const rowCheck = `rows stored: app ${rows.app} for ${appVariant.stored.length} "stored" answers, baseline ${rows.baseline} for ${baselineVariant.stored.length} (the difference: requests in flight when a run stopped, at most ${inFlight})`;
  progress(`webhooks: ${rowCheck}`);
  await stopChild(baseline.process);
  await stopApp(app);
  return { webhooks, rowCheck };
}

/** 2. Open /events streams on one fresh process; skipped (undefined) when `ulimit -n` is too low. */
async function benchEventStreams(appEnv: Record<string, string>): Promise<EventsResult | undefined> {
  const limit = openFileLimit();
  if (limit < MIN_OPEN_FILES) {
    console.log(
      `\n!! events benchmark SKIPPED: \`ulimit -n\` is ${limit}; ${STREAMS} streams need at least ${MIN_OPEN_FILES}. Raise it in your shell (ulimit -n ${MIN_OPEN_FILES}) and rerun.\n`,
    );
    return undefined;
  }
  progress("events: starting a fresh app process");
  const memoryDir = mkdtempSync(path.join(os.tmpdir(), "birdline-bench-memory-"));
  cleanups.push(async () => rmSync(memoryDir, { recursive: true, force: true }));
  const memoryFile = path.join(memoryDir, "memory.json");
  const eventsApp = await startApp({ ...appEnv, ...memoryProbeEnv(memoryFile) });
  cleanups.push(() => stopApp(eventsApp));
  const events = await benchEvents({
    baseUrl: eventsApp.url,
    pid: eventsApp.process.pid!,
    secret: WEBHOOK_SECRET,
    streams: STREAMS,
    rounds: FAN_OUT_ROUNDS,
    memoryFile,
  });
  await stopApp(eventsApp);
  return events;
}

function printSummary(
  machine: string,
  storage: Storage,
  webhookResult: { webhooks: PhaseSummary[]; rowCheck: string } | undefined,
  events: EventsResult | undefined,
  inbox: InboxResult | undefined,
  outbox: OutboxResult | undefined,
  reports: ReportsResult | undefined,
) {
  const range = (values: number[]) => `${ratio(median(values))} (rounds ${values.map((v) => v.toFixed(2)).join(", ")})`;
  const rows: string[][] = [["measure", "app", "baseline", "app / baseline"]];
  for (const phase of webhookResult?.webhooks ?? []) {
    rows.push([
      `webhook ${phase.name}: req/s`,
      phase.app.reqPerSec.toFixed(0),
      phase.baseline.reqPerSec.toFixed(0),
      range(phase.ratios),
    ]);
    rows.push([
      `webhook ${phase.name}: p50 / p99`,
      `${ms(phase.app.p50)} / ${ms(phase.app.p99)}`,
      `${ms(phase.baseline.p50)} / ${ms(phase.baseline.p99)}`,
      `p50 ${ratio(phase.app.p50 / phase.baseline.p50)}, p99 ${range(phase.p99Ratios)}`,
    ]);
    const failed = phase.app.failed + phase.baseline.failed;
    if (failed)
      rows.push([
        `webhook ${phase.name}: FAILED requests`,
        String(phase.app.failed),
        String(phase.baseline.failed),
        "",
      ]);
  }
  if (events) {
    const n = events.streams;
    const arrivals = arrivalPercentiles(events.arrivalsN);
    const perStream = (events.opened.rssKiB - events.before.rssKiB) / n;
    rows.push(
      [
        `fan-out: webhook → all heard (p50)`,
        `${ms(median(events.allHeardN))} (${n} streams)`,
        `${ms(median(events.allHeard1))} (1 stream)`,
        ratio(median(events.allHeardN) / median(events.allHeard1)),
      ],
      [
        `fan-out: webhook → all heard (p99)`,
        ms(percentile(events.allHeardN, 99)),
        ms(percentile(events.allHeard1, 99)),
        "",
      ],
      [`fan-out: worst round`, ms(Math.max(...events.allHeardN)), ms(Math.max(...events.allHeard1)), ""],
      [
        `fan-out: each stream p50 / p99 / max`,
        `${ms(arrivals.p50)} / ${ms(arrivals.p99)} / ${ms(arrivals.max)}`,
        "",
        "",
      ],
      [`open ${n} streams`, `${events.openSeconds.toFixed(2)} s`, "", ""],
      [
        `idle RSS after start (GC forced)`,
        mib(events.gc.idle.rss / 1024),
        "",
        `heap ${mib(events.gc.idle.heapUsed / 1024)} used`,
      ],
      [
        `RSS with ${n} streams (GC forced)`,
        mib(events.gc.opened.rss / 1024),
        `${mib(events.gc.before.rss / 1024)} before`,
        `heap ${mib(events.gc.before.heapUsed / 1024)} → ${mib(events.gc.opened.heapUsed / 1024)}; ${((events.gc.opened.heapUsed - events.gc.before.heapUsed) / 1024 / n).toFixed(1)} KiB heap per stream`,
      ],
      [
        `server memory per stream`,
        `${perStream.toFixed(1)} KiB`,
        "",
        `RSS ${mib(events.before.rssKiB)} → ${mib(events.opened.rssKiB)}`,
      ],
      [
        `after closing all: HTTP client sockets`,
        `${events.closed.httpSockets} (2nd cycle ${events.secondCycleClosed.httpSockets})`,
        `${events.before.httpSockets} before`,
        `${events.opened.httpSockets} while open`,
      ],
      [
        `after closing all: all sockets / fds`,
        `${events.closed.sockets} / ${events.closed.fds} (2nd cycle ${events.secondCycleClosed.sockets} / ${events.secondCycleClosed.fds})`,
        `${events.before.sockets} / ${events.before.fds} before`,
        "database pool may grow to 10",
      ],
      [
        `after closing all: RSS`,
        `${mib(events.closed.rssKiB)} (2nd cycle ${mib(events.secondCycleClosed.rssKiB)})`,
        `${mib(events.before.rssKiB)} before`,
        "",
      ],
      [`/healthz after closing`, events.healthy ? "ok" : "NOT OK", "", ""],
    );
    if (events.timedOut) rows.push([`fan-out rounds timed out`, String(events.timedOut), "", ""]);
  }
  // Inbox rows: "app" is the large database, "baseline" the small one, both on the app.
  if (inbox) rows.push(...inboxRows(inbox, ms, ratio));
  if (outbox) rows.push(...outboxRows(outbox));
  // Reports rows: "app" is 100k conversations / 1M messages, "baseline" 1k (and 10k).
  if (reports) rows.push(...reportsRows(reports, ms, ratio));
  console.log(`
Summary (${storage.note})`);
  console.log(table(rows));
  if (webhookResult) console.log(webhookResult.rowCheck);
  console.log(`machine: ${machine}`);
  console.log("Ratios compare runs seconds apart in this one run; absolute numbers vary between runs and machines.");
}

const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;

try {
  await main();
} catch (error) {
  console.error(error);
  await cleanUp();
  process.exitCode = 1;
}
