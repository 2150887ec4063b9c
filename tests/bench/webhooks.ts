// Benchmark 1: MessageBird webhooks (inbound SMS, delivery reports), the app against a baseline, interleaved.
import autocannon, { type Result } from "autocannon";
import postgres from "postgres";
import { median, progress, ms, ratio } from "./report";

export type Target = { label: string; url: string; idPrefix: string };

export type VariantSummary = {
  label: string;
  /** Median over rounds. */
  reqPerSec: number;
  p50: number;
  p99: number;
  answered: number;
  failed: number;
};

export type PhaseSummary = {
  name: string;
  app: VariantSummary;
  baseline: VariantSummary;
  /** app / baseline req/s, one per round. */
  ratios: number[];
  /** app / baseline p99, one per round. */
  p99Ratios: number[];
};

export type WebhookOptions = { secret: string; roundSeconds: number };

/** What one phase sends: the path, the body of request number `n`, and the answers that count as success. */
export type Workload = {
  name: string;
  path: string;
  body(prefix: string, n: number): string;
  expect: readonly string[];
  /** Request numbers for a variant; re-sending acknowledged ones makes duplicates. */
  ids(variant: Variant): () => number;
  connections: number;
  rounds: number;
};

const SERVICE_NUMBER = "447700900000";
// Many senders, as in real traffic: one sender's deliveries take turns on its conversation row lock.
const SENDERS = 1_000;

/** The tutorial's Flow Builder JSON; the number of the request picks the sender and the unique messageId. */
function sms(prefix: string, n: number): string {
  return JSON.stringify({
    originator: `3161${String(n % SENDERS).padStart(7, "0")}`,
    recipient: SERVICE_NUMBER,
    payload: `bench message ${n}`,
    messageId: `${prefix}-${n}`,
  });
}

export type Variant = { target: Target; sent: number; stored: number[]; results: Result[] };

const fresh = (variant: Variant) => () => variant.sent++;

const resend = (variant: Variant) => {
  const ids = [...variant.stored];
  let n = 0;
  return () => ids[n++ % ids.length]!;
};

/** Inbound SMS, answered `expect`; `ids` picks fresh or already stored message ids. */
const inbound =
  (kind: string, expect: string, ids: Workload["ids"]) =>
  (connections: number, rounds: number): Workload => ({
    name: `${kind}, ${connections} conns`,
    path: "/webhooks/messagebird",
    body: sms,
    expect: [expect],
    ids,
    connections,
    rounds,
  });

export const newMessages = inbound("new", "stored", fresh);
export const duplicates = inbound("duplicate", "duplicate", resend);

/** Outbound messages the delivery-report phase reports on, per variant; reports cycle through them. */
export const REPORTED_MESSAGES = 150_000;

/** "delivered" for outbound message `n`, found by MessageBird's id (seeded by `seedReportedMessages`). */
export const deliveryReports = (connections: number, rounds: number): Workload => {
  const counters = new Map<Variant, number>();
  return {
    name: `delivery reports, ${connections} conns`,
    path: "/webhooks/messagebird/status",
    body: (prefix, n) =>
      JSON.stringify({
        id: `report-${prefix}-${n % REPORTED_MESSAGES}`,
        status: "delivered",
        statusDatetime: new Date().toISOString(),
      }),
    // After the first pass through the seeded rows a report finds its message delivered already.
    expect: ["updated", "unchanged"],
    ids: (variant) => () => {
      const n = counters.get(variant) ?? 0;
      counters.set(variant, n + 1);
      return n;
    },
    connections,
    rounds,
  };
};

/** Outbound messages, status "sent", with provider ids `report-<prefix>-<n>`, for each prefix. */
export async function seedReportedMessages(databaseUrl: string, prefixes: string[]) {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    for (const [i, prefix] of prefixes.entries())
      await sql`
        with c as (
          insert into conversations (contact_number, virtual_number)
          values (${`+3169000000${i}`}, ${`+${SERVICE_NUMBER}`})
          returning id)
        insert into messages (conversation_id, direction, body, from_number, to_number, status, provider_message_id, segments)
        select c.id, 'outbound', 'bench reply', ${`+${SERVICE_NUMBER}`}, '+31690000000', 'sent', ${`report-${prefix}-`} || g, 1
        from c, generate_series(0, ${REPORTED_MESSAGES - 1}) g`;
  } finally {
    await sql.end();
  }
}

/**
 * Runs autocannon for one variant; `nextId` numbers the requests, and the
 * numbers answered "stored" are added to `stored`.
 */
async function load(
  target: Target,
  workload: Workload,
  options: WebhookOptions,
  seconds: number,
  nextId: () => number,
  stored: number[],
) {
  const expected = workload.expect.map((status) => `"status":"${status}"`);
  return autocannon({
    url: target.url,
    connections: workload.connections,
    duration: seconds,
    timeout: 10,
    // An expected answer is what the app sends only after commit; anything else is a mismatch.
    verifyBody: (body) => expected.some((answer) => body.includes(answer)),
    requests: [
      {
        method: "POST",
        path: `${workload.path}?secret=${encodeURIComponent(options.secret)}`,
        headers: { "content-type": "application/json" },
        setupRequest: (request, context) => {
          context.n = nextId();
          return { ...request, body: workload.body(target.idPrefix, context.n as number) };
        },
        // Only ids the server acknowledged may be re-sent as duplicates: autocannon builds
        // a connection's next request before the run stops, and that one is never sent.
        onResponse: (status, body, context) => {
          if (status === 200 && body.includes('"status":"stored"')) stored.push(context.n as number);
        },
      },
    ],
  });
}

function summarize({ target, results }: Variant): VariantSummary {
  return {
    label: target.label,
    reqPerSec: median(results.map((r) => (r["2xx"] - r.mismatches) / r.duration)),
    p50: median(results.map((r) => r.latency.p50)),
    p99: median(results.map((r) => r.latency.p99)),
    answered: results.reduce((sum, r) => sum + r["2xx"] - r.mismatches, 0),
    failed: results.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts + r.mismatches, 0),
  };
}

export function variant(target: Target): Variant {
  return { target, sent: 0, stored: [], results: [] };
}

/** 1 s of new messages on each server, so neither pays for its cold start in a measured round. */
export async function warmUp(app: Variant, baseline: Variant, options: WebhookOptions, connections: number) {
  progress(`webhooks: warming up both servers (1 s each, ${connections} connections)`);
  const workload = newMessages(connections, 1);
  for (const v of [app, baseline]) await load(v.target, workload, options, 1, fresh(v), v.stored);
}

/**
 * Rounds alternate which variant goes first; each round's ratio compares two
 * runs seconds apart, so drift on a shared machine hits both sides.
 */
export async function phase(
  app: Variant,
  baseline: Variant,
  workload: Workload,
  options: WebhookOptions,
): Promise<PhaseSummary> {
  const ratios: number[] = [];
  const p99Ratios: number[] = [];
  app.results = [];
  baseline.results = [];
  const ids = new Map([app, baseline].map((v) => [v, workload.ids(v)]));
  for (let round = 1; round <= workload.rounds; round++) {
    const order = round % 2 === 1 ? [app, baseline] : [baseline, app];
    const results = new Map<Variant, Result>();
    for (const v of order) {
      const result = await load(v.target, workload, options, options.roundSeconds, ids.get(v)!, v.stored);
      v.results.push(result);
      results.set(v, result);
      const rate = (result["2xx"] - result.mismatches) / result.duration;
      const failed = result.non2xx + result.errors + result.timeouts + result.mismatches;
      progress(
        `${workload.name} round ${round}/${workload.rounds} ${v.target.label}: ${rate.toFixed(0)} req/s, p50 ${ms(result.latency.p50)}, p99 ${ms(result.latency.p99)}${failed ? `, ${failed} FAILED` : ""}`,
      );
    }
    const rate = (r: Result) => (r["2xx"] - r.mismatches) / r.duration;
    ratios.push(rate(results.get(app)!) / rate(results.get(baseline)!));
    p99Ratios.push(results.get(app)!.latency.p99 / results.get(baseline)!.latency.p99);
  }
  progress(`${workload.name}: app/baseline ${ratio(median(ratios))} req/s, ${ratio(median(p99Ratios))} p99`);
  return { name: workload.name, app: summarize(app), baseline: summarize(baseline), ratios, p99Ratios };
}
