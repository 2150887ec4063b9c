// Benchmark 1: inbound webhook throughput, the app against a baseline, interleaved.
import autocannon, { type Result } from "autocannon";
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

export type PhaseSummary = { name: string; app: VariantSummary; baseline: VariantSummary; ratios: number[] };

export type WebhookOptions = {
  secret: string;
  connections: number;
  roundSeconds: number;
  rounds: number;
  duplicateRounds: number;
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

/**
 * Runs autocannon for one variant; `nextId` numbers the requests, and the
 * numbers answered "stored" are added to `stored`.
 */
async function load(
  target: Target,
  options: WebhookOptions,
  seconds: number,
  nextId: () => number,
  expect: string,
  stored: number[],
): Promise<Result> {
  return autocannon({
    url: target.url,
    connections: options.connections,
    duration: seconds,
    timeout: 10,
    // A stored or duplicate answer is what the app sends only after commit; anything else is a mismatch.
    verifyBody: (body) => body.includes(`"status":"${expect}"`),
    requests: [
      {
        method: "POST",
        path: `/webhooks/messagebird?secret=${encodeURIComponent(options.secret)}`,
        headers: { "content-type": "application/json" },
        setupRequest: (request, context) => {
          context.n = nextId();
          return { ...request, body: sms(target.idPrefix, context.n as number) };
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

type Variant = { target: Target; sent: number; stored: number[]; results: Result[] };

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

/**
 * Rounds alternate which variant goes first; each round's ratio compares two
 * runs seconds apart, so drift on a shared machine hits both sides.
 */
async function phase(
  name: string,
  app: Variant,
  baseline: Variant,
  options: WebhookOptions,
  rounds: number,
  ids: (variant: Variant) => () => number,
  expect: string,
): Promise<PhaseSummary> {
  const ratios: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    const order = round % 2 === 1 ? [app, baseline] : [baseline, app];
    const rates = new Map<Variant, number>();
    for (const variant of order) {
      const result = await load(variant.target, options, options.roundSeconds, ids(variant), expect, variant.stored);
      variant.results.push(result);
      const rate = (result["2xx"] - result.mismatches) / result.duration;
      rates.set(variant, rate);
      const failed = result.non2xx + result.errors + result.timeouts + result.mismatches;
      progress(
        `${name} round ${round}/${rounds} ${variant.target.label}: ${rate.toFixed(0)} req/s, p50 ${ms(result.latency.p50)}, p99 ${ms(result.latency.p99)}${failed ? `, ${failed} FAILED` : ""}`,
      );
    }
    ratios.push(rates.get(app)! / rates.get(baseline)!);
  }
  return { name, app: summarize(app), baseline: summarize(baseline), ratios };
}

/** Warm-up, then interleaved rounds of new messages, then re-sent (duplicate) ones. */
export async function benchWebhooks(appTarget: Target, baselineTarget: Target, options: WebhookOptions) {
  const app: Variant = { target: appTarget, sent: 0, stored: [], results: [] };
  const baseline: Variant = { target: baselineTarget, sent: 0, stored: [], results: [] };
  const fresh = (variant: Variant) => () => variant.sent++;

  progress(`webhooks: warming up both servers (1 s each, ${options.connections} connections)`);
  for (const variant of [app, baseline])
    await load(variant.target, options, 1, fresh(variant), "stored", variant.stored);

  const stored = await phase("new", app, baseline, options, options.rounds, fresh, "stored");

  const resend = (variant: Variant) => {
    const ids = [...variant.stored];
    let n = 0;
    return () => ids[n++ % ids.length]!;
  };
  app.results = [];
  baseline.results = [];
  const duplicates = await phase("duplicate", app, baseline, options, options.duplicateRounds, resend, "duplicate");
  progress(`webhooks: app/baseline ${ratio(median(stored.ratios))} new, ${ratio(median(duplicates.ratios))} duplicate`);
  return { stored, duplicates, storedRows: { app: app.stored.length, baseline: baseline.stored.length } };
}
