// Benchmark 2: N open /events streams on one app process: memory, fan-out
// latency against a single stream, and whether closing them gives everything back.
import { setTimeout as sleep } from "node:timers/promises";
import { CookieJar } from "../support/route-call";
import { memoryAfterGc, openFiles, rssKiB, type Memory, type OpenFiles } from "./processes";
import { FanOut, openStreams, type Stream } from "./sse-client";
import { median, percentile, progress, ms } from "./report";

export type EventsOptions = {
  baseUrl: string;
  pid: number;
  secret: string;
  streams: number;
  rounds: number;
  /** The app process runs with memoryProbeEnv(memoryFile). */
  memoryFile: string;
};

type Usage = OpenFiles & { rssKiB: number };
const showUsage = (u: Usage) =>
  `RSS ${(u.rssKiB / 1024).toFixed(1)} MiB, ${u.fds} fds, ${u.sockets} sockets (${u.httpSockets} HTTP clients)`;

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const showMemory = (m: Memory) =>
  `RSS ${mib(m.rss)}, heap ${mib(m.heapUsed)} used of ${mib(m.heapTotal)}, external ${mib(m.external)}`;

export type EventsResult = {
  streams: number;
  openSeconds: number;
  /** Per round: ms from POSTing the webhook until the last stream heard it. */
  allHeard1: number[];
  allHeardN: number[];
  /** Every stream's arrival, all rounds pooled. */
  arrivalsN: number[];
  timedOut: number;
  before: Usage;
  opened: Usage;
  /** After a forced full GC: the fresh process before any request, then before and with the N streams open. */
  gc: { idle: Memory; before: Memory; opened: Memory };
  closed: Usage;
  secondCycleClosed: Usage;
  healthy: boolean;
};

/** The first account on a fresh database becomes the admin, which hears about every conversation. */
async function registerAdmin(baseUrl: string): Promise<string> {
  const jar = new CookieJar();
  const page = await fetch(`${baseUrl}/register`, { redirect: "manual" });
  jar.store(page.headers);
  const csrfToken = /name="csrfToken" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrfToken) throw new Error("no CSRF token on /register");
  const password = "sunny-otter-42-lamp";
  const registered = await fetch(`${baseUrl}/register`, {
    method: "POST",
    redirect: "manual",
    headers: { cookie: jar.header(), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      csrfToken,
      email: `bench-${Date.now()}@example.com`,
      password,
      confirmPassword: password,
    }),
  });
  jar.store(registered.headers);
  if (registered.status !== 302 || !jar.has("session-token"))
    throw new Error(`registering failed: ${registered.status}`);
  return jar.header();
}

let sequence = 0;
async function postWebhook(options: EventsOptions): Promise<void> {
  const response = await fetch(`${options.baseUrl}/webhooks/messagebird?secret=${encodeURIComponent(options.secret)}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      originator: "31620000001",
      recipient: "447700900000",
      payload: "fan-out",
      messageId: `fanout-${Date.now()}-${++sequence}`,
    }),
  });
  const body = await response.text();
  if (response.status !== 200 || !body.includes('"stored"'))
    throw new Error(`webhook answered ${response.status}: ${body}`);
}

/** `rounds` webhooks, one at a time; each round waits until every open stream heard it (or 10 s passed). */
async function fanOutRounds(options: EventsOptions, fanOut: FanOut, streams: number, rounds: number) {
  const allHeard: number[] = [];
  const arrivals: number[] = [];
  let timedOut = 0;
  for (let round = 0; round < rounds; round++) {
    const heard = fanOut.start(streams);
    await postWebhook(options);
    const result = await Promise.race([heard, sleep(10_000).then(() => null)]);
    if (!result) {
      timedOut++;
      progress(`  round ${round + 1}: only ${fanOut.partial().length}/${streams} streams heard the event within 10 s`);
      continue;
    }
    allHeard.push(Math.max(...result));
    arrivals.push(...result);
    // Let the server settle (audience lookup, socket writes) so rounds do not overlap.
    await sleep(100);
  }
  return { allHeard, arrivals, timedOut };
}

/**
 * Polls until the server holds no more HTTP client sockets than `target`
 * (it notices closed streams asynchronously), then gives it a second to finish cleaning up.
 */
async function settleSockets(pid: number, port: number, target: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (openFiles(pid, port).httpSockets > target && Date.now() < deadline) await sleep(200);
  await sleep(1_000);
}

export async function benchEvents(options: EventsOptions): Promise<EventsResult> {
  const { baseUrl, pid, streams: count, rounds } = options;
  const port = Number(new URL(baseUrl).port);
  const usage = (): Usage => ({ rssKiB: rssKiB(pid), ...openFiles(pid, port) });
  const afterGc = async (label: string) => {
    const memory = await memoryAfterGc(pid, options.memoryFile);
    progress(`events: ${label}, after a forced GC: ${showMemory(memory)}`);
    return memory;
  };
  const idle = await afterGc("fresh process before any request");
  progress("events: registering the admin account over HTTP");
  const cookie = await registerAdmin(baseUrl);
  const fanOut = new FanOut();

  // Warm-up and the single-stream reference, also after the big run: bracketing
  // the 1,000-stream rounds lets drift on a shared machine show up in both.
  const single = async (label: string) => {
    const [stream] = await openStreams(baseUrl, cookie, fanOut, 1);
    const result = await fanOutRounds(options, fanOut, 1, Math.ceil(rounds / 2));
    stream!.close();
    progress(`events: 1 stream (${label}): webhook → event p50 ${ms(median(result.allHeard))}`);
    return result.allHeard;
  };
  await postWebhook(options);
  const allHeard1 = await single("before");
  await sleep(1_000);
  const before = usage();
  progress(`events: server before opening: ${showUsage(before)}`);
  const gcBefore = await afterGc("before opening");

  progress(`events: opening ${count} streams…`);
  const openStart = performance.now();
  let streams: Stream[] = await openStreams(baseUrl, cookie, fanOut, count);
  const openSeconds = (performance.now() - openStart) / 1000;
  await sleep(500);
  const opened = usage();
  progress(`events: ${count} streams open in ${openSeconds.toFixed(2)} s; server: ${showUsage(opened)}`);
  const gcOpened = await afterGc(`${count} streams open`);

  progress(`events: ${rounds} webhooks, each until all ${count} streams heard it`);
  const big = await fanOutRounds(options, fanOut, count, rounds);
  progress(
    `events: ${count} streams: all heard it after p50 ${ms(median(big.allHeard))}, worst ${ms(Math.max(...big.allHeard))}`,
  );

  for (const stream of streams) stream.close();
  await settleSockets(pid, port, before.httpSockets);
  const closed = usage();
  progress(`events: after closing all: ${showUsage(closed)}`);

  // A second open/close cycle: a leak per stream would show as RSS or sockets growing again.
  progress(`events: second cycle: opening and closing ${count} streams`);
  streams = await openStreams(baseUrl, cookie, fanOut, count);
  await sleep(500);
  for (const stream of streams) stream.close();
  await settleSockets(pid, port, before.httpSockets);
  const secondCycleClosed = usage();
  progress(`events: after the second cycle: ${showUsage(secondCycleClosed)}`);

  const health = await fetch(`${baseUrl}/healthz`);
  const healthy = health.status === 200 && ((await health.json()) as { ok?: boolean }).ok === true;
  progress(`events: /healthz ${health.status}${healthy ? " ok" : " NOT OK"}`);
  const after = await single("after");

  return {
    streams: count,
    openSeconds,
    allHeard1: [...allHeard1, ...after],
    allHeardN: big.allHeard,
    arrivalsN: big.arrivals,
    timedOut: big.timedOut,
    before,
    opened,
    gc: { idle, before: gcBefore, opened: gcOpened },
    closed,
    secondCycleClosed,
    healthy,
  };
}

export const arrivalPercentiles = (arrivals: number[]) => ({
  p50: percentile(arrivals, 50),
  p99: percentile(arrivals, 99),
  max: Math.max(...arrivals),
});
