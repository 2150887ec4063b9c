// Benchmark 4: the outbox. The built app's worker drains queued replies through a fake MessageBird
// that takes SEND_LATENCY_MS to answer each send, against a bare fetch loop posting the same sends
// to the same fake at the same concurrency: the difference is what the job queue, the claim and the
// settle cost on top of the provider's own time. Then how soon one reply reaches the provider when
// the worker is idle, which is what a person waits for after pressing Send.
import { setTimeout as sleep } from "node:timers/promises";
import postgres from "postgres";
import { startApp, stopApp } from "../support/app-process";
import { startFakeMessageBird } from "../support/fake-messagebird";
import { median, ms, percentile, progress, ratio } from "./report";

/** A real provider's answer takes tens of ms; with none, the bench would only measure the app's overhead. */
export const SEND_LATENCY_MS = 20;
/** App throughput as a share of the bare loop's that the outbox should keep. */
export const THROUGHPUT_GOAL = 0.8;
// Time for the settle after the last send and the worker's slots to fall idle before the next reply.
const PICKUP_SPACING_MS = 50;
// A first trial with 40 warm-up replies saw the app's drain fall from 11.3 to 6.8 s over three rounds.
const WARM_UP_REPLIES = 200;
// Far above any healthy drain; a stuck one (a failed send, a dead worker) ends with what it saw.
const DRAIN_TIMEOUT_MS = 120_000;

const SERVICE_NUMBER = "+447700900000";

export type OutboxOptions = {
  databaseUrl: string;
  appEnv: Record<string, string | undefined>;
  /** Replies per drain. */
  messages: number;
  /** SMS_SEND_CONCURRENCY for the app, and the bare loop's parallel sends. */
  concurrency: number;
  rounds: number;
  /** Single replies timed for the pickup latency. */
  pickups: number;
  /** Hands a cleanup to the bench's own, so the watchdog or Ctrl-C also stops the app and the fake. */
  defer: (cleanup: () => Promise<void>) => void;
};

export type OutboxResult = {
  messages: number;
  concurrency: number;
  /** ms from committing the replies until all were `sent` (app) or answered (bare loop), per round. */
  app: number[];
  baseline: number[];
  /** App throughput / bare-loop throughput, per round. */
  ratios: number[];
  /** ms from committing one reply until the fake received its send. */
  pickups: number[];
};

type Sql = postgres.Sql;

export async function benchOutbox(options: OutboxOptions): Promise<OutboxResult> {
  const { messages, concurrency, rounds, pickups, defer } = options;
  // When each reference reached the provider, by this process's clock.
  const received = new Map<string | null, number>();
  const fake = await startFakeMessageBird({
    sendLatencyMs: SEND_LATENCY_MS,
    onPost: (reference) => received.set(reference, performance.now()),
  });
  defer(() => fake.stop());
  progress(`outbox: fake MessageBird on ${fake.url()} answering each send after ${SEND_LATENCY_MS} ms`);
  const app = await startApp({
    ...options.appEnv,
    DATABASE_URL: options.databaseUrl,
    MESSAGEBIRD_API_KEY: "bench_live_key",
    MESSAGEBIRD_API_URL: fake.url(),
    SMS_SEND_CONCURRENCY: String(concurrency),
  });
  defer(() => stopApp(app));
  const sql = postgres(options.databaseUrl, { max: 1, onnotice: () => {} });
  defer(() => sql.end());
  const outbox = new Outbox(sql);

  const drainApp = async (count: number) => {
    const postsBefore = fake.posts.length;
    const { conversationId, committing } = await outbox.queue(count);
    // Waiting on the fake first keeps the bench's polling off the database while the worker uses it.
    await until(() => fake.posts.length >= postsBefore + count, 20, "the sends to reach the fake");
    await until(
      async () => (await outbox.sent(conversationId)) >= count,
      5,
      "every reply to be sent",
      () => outbox.statuses(conversationId),
    );
    return performance.now() - committing;
  };
  const drainBaseline = (count: number) => postAll(fake.url(), count, concurrency);

  progress(`outbox: warming up (${WARM_UP_REPLIES} replies through each)`);
  await drainApp(WARM_UP_REPLIES);
  await drainBaseline(WARM_UP_REPLIES);

  const result: OutboxResult = { messages, concurrency, app: [], baseline: [], ratios: [], pickups: [] };
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? (["app", "baseline"] as const) : (["baseline", "app"] as const);
    for (const variant of order) {
      const took = await (variant === "app" ? drainApp : drainBaseline)(messages);
      result[variant].push(took);
      progress(
        `outbox drain round ${round}/${rounds} ${variant}: ${messages} replies in ${seconds(took)} (${perSecond(messages, took)} msg/s)`,
      );
    }
    // Same count each side: throughput app / baseline is drain time baseline / app.
    result.ratios.push(result.baseline.at(-1)! / result.app.at(-1)!);
  }
  const verdict = goalVerdict(median(result.ratios));
  progress(`outbox drain: app / bare loop throughput ${ratio(median(result.ratios))} (${verdict})`);

  progress(`outbox: pickup latency of ${pickups} single replies, ${PICKUP_SPACING_MS} ms apart`);
  for (let i = 0; i < pickups; i++) {
    const { conversationId, ids, committing } = await outbox.queue(1);
    await until(() => received.has(ids[0]!), 1, "the reply to reach the fake");
    result.pickups.push(received.get(ids[0]!)! - committing);
    await until(async () => (await outbox.sent(conversationId)) === 1, 5, "the reply to be sent");
    await sleep(PICKUP_SPACING_MS);
  }
  const [p50, p99] = [percentile(result.pickups, 50), percentile(result.pickups, 99)];
  progress(`outbox pickup: p50 ${ms(p50)}, p99 ${ms(p99)}`);

  await stopApp(app);
  await fake.stop();
  return result;
}

/** Queued replies written as the app writes them (outbound.ts `sendReply`): rows and their jobs in one transaction. */
class Outbox {
  private conversations = 0;
  constructor(private sql: Sql) {}

  /** `count` replies in a conversation of their own; `committing` is the moment COMMIT was sent, when the jobs become visible. */
  async queue(count: number) {
    let committing = 0;
    const contact = `+3169${String(++this.conversations).padStart(7, "0")}`;
    const { conversationId, ids } = await this.sql.begin(async (tx) => {
      const [conversation] = await tx<{ id: string }[]>`
        insert into conversations (contact_number, virtual_number, last_message_at)
        values (${contact}, ${SERVICE_NUMBER}, now()) returning id`;
      const rows = await tx<{ id: string }[]>`
        with queued as (
          insert into messages (conversation_id, direction, body, from_number, to_number, status, author, segments)
          select ${conversation!.id}, 'outbound', 'Bench reply ' || n, ${SERVICE_NUMBER}, ${contact}, 'queued', 'user', 1
          from generate_series(1, ${count}) n
          returning id)
        select id, graphile_worker.add_job('send_sms', json_build_object('messageId', id),
                                           max_attempts => 5, job_key => 'sms:' || id)
        from queued`;
      committing = performance.now();
      return { conversationId: conversation!.id, ids: rows.map((row) => row.id) };
    });
    return { conversationId, ids, committing };
  }

  async sent(conversationId: string): Promise<number> {
    const [row] = await this.sql<{ sent: number }[]>`
      select count(*)::int as sent from messages where conversation_id = ${conversationId} and status = 'sent'`;
    return row!.sent;
  }

  async statuses(conversationId: string): Promise<string> {
    const rows = await this.sql<{ status: string; count: number }[]>`
      select status, count(*)::int as count from messages where conversation_id = ${conversationId} group by status`;
    return rows.map((row) => `${row.count} ${row.status}`).join(", ");
  }
}

/**
 * The baseline: `count` sends like the app's (same JSON, headers and timeout) from `concurrency`
 * loops sharing one counter, as the worker's slots share the queue. Resolves with the ms taken.
 */
async function postAll(apiUrl: string, count: number, concurrency: number): Promise<number> {
  const started = performance.now();
  let next = 0;
  const loop = async () => {
    while (next < count) {
      const n = next++;
      const response = await fetch(`${apiUrl}/messages`, {
        method: "POST",
        headers: {
          Authorization: "AccessKey bench_live_key",
          Accept: "application/json",
          "User-Agent": "Birdline bench",
          "Content-Type": "application/json",
        },
        body: JSON.stringify({
          originator: SERVICE_NUMBER,
          recipients: ["+31690000000"],
          body: `Bench reply ${n}`,
          reference: `baseline-${n}`,
          reportUrl: "http://localhost:3000/webhooks/messagebird/status",
        }),
        signal: AbortSignal.timeout(10_000),
      });
      const answer = (await response.json()) as { id?: string };
      if (response.status !== 201 || !answer.id) throw new Error(`the fake answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return performance.now() - started;
}

/** Polls `done` every `intervalMs` until it holds; past DRAIN_TIMEOUT_MS it throws, saying what it waited for. */
async function until(
  done: () => boolean | Promise<boolean>,
  intervalMs: number,
  what: string,
  state?: () => Promise<string>,
) {
  const deadline = performance.now() + DRAIN_TIMEOUT_MS;
  while (!(await done())) {
    if (performance.now() > deadline)
      throw new Error(`outbox: waited ${DRAIN_TIMEOUT_MS / 1000} s for ${what}${state ? `: ${await state()}` : ""}`);
    await sleep(intervalMs);
  }
}

const seconds = (value: number) => `${(value / 1000).toFixed(2)} s`;
const perSecond = (count: number, took: number) => ((count * 1000) / took).toFixed(0);
const goalVerdict = (value: number) => `goal ≥ ${THROUGHPUT_GOAL}×: ${value >= THROUGHPUT_GOAL ? "met" : "NOT met"}`;

/** Summary rows: measure, app, baseline, app / baseline. */
export function outboxRows(result: OutboxResult): string[][] {
  const { app, baseline, ratios, pickups, messages, concurrency } = result;
  const rounds = ratios.map((value) => value.toFixed(2)).join(", ");
  return [
    [
      `outbox drain ${messages} replies (${concurrency} at a time, ${SEND_LATENCY_MS} ms provider)`,
      `${seconds(median(app))} (${perSecond(messages, median(app))} msg/s)`,
      `${seconds(median(baseline))} (${perSecond(messages, median(baseline))} msg/s, bare fetch loop)`,
      `${ratio(median(ratios))} throughput (rounds ${rounds}); ${goalVerdict(median(ratios))}`,
    ],
    [
      `outbox pickup, one reply: p50 / p99`,
      `${ms(percentile(pickups, 50))} / ${ms(percentile(pickups, 99))}`,
      "",
      `commit → fake received the send; ${pickups.length} replies, max ${ms(Math.max(...pickups))}`,
    ],
  ];
}
