import net from "node:net";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { startApp, stopApp, type AppProcess } from "../support/app-process";
import { readEventStream } from "../support/event-stream";
import { createUser } from "../support/factories";

/**
 * The app loses its database connections while requests are using them, again
 * and again, as in a Postgres restart or a failover.
 */
const CUT_ROUNDS = 25;
const WEBHOOK_CLIENTS = 8;
const PAGE_CLIENTS = 2;
// A request that hangs is a failure of its own, not a test timeout.
const REQUEST_TIMEOUT_MS = 10_000;
// Long enough for many failed reconnects in a row; answers come within PROMPT_MS all the same.
const OUTAGE_MS = 3_000;
const PROMPT_MS = 3_000;
// Only the app's connections are cut, never this file's own.
const APP_NAME = "birdline-connection-loss";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("database connections lost mid-request", () => {
  let app: AppProcess;
  let admin: postgres.Sql;
  let output = "";
  // The app reaches Postgres through this proxy, which can reset its connections as a broken network does.
  const appSockets = new Set<net.Socket>();
  const proxy = net.createServer((appSide) => {
    const { hostname, port } = new URL(process.env.DATABASE_URL!);
    const postgresSide = net.connect(Number(port || 5432), hostname);
    appSide.pipe(postgresSide);
    postgresSide.pipe(appSide);
    appSockets.add(appSide);
    for (const socket of [appSide, postgresSide]) socket.on("error", () => {});
    appSide.on("close", () => {
      appSockets.delete(appSide);
      postgresSide.destroy();
    });
    postgresSide.on("close", () => appSide.destroy());
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const url = new URL(process.env.DATABASE_URL!);
    url.host = `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    url.searchParams.set("application_name", APP_NAME);
    app = await startApp({ DATABASE_URL: url.toString() });
    app.process.stderr!.on("data", (chunk: Buffer) => (output += chunk));
    admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await stopApp(app);
    await admin.end();
    for (const socket of appSockets) socket.destroy();
    await new Promise((resolve) => proxy.close(resolve));
  });

  const webhook = (messageId: string, from: string) =>
    fetch(`${app.url}/webhooks/messagebird?secret=${process.env.MESSAGEBIRD_WEBHOOK_SECRET}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ originator: from, recipient: "+447700900000", payload: `text ${messageId}`, messageId }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  const page = (cookie: string) =>
    fetch(`${app.url}/messages`, {
      headers: { cookie },
      redirect: "manual",
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });

  /** Ends every backend the app holds, its pool's and its LISTEN connection, as a restart does. */
  async function killBackends(): Promise<number> {
    const [{ killed }] = await admin<[{ killed: number }]>`
      select (count(*) filter (where pg_terminate_backend(pid)))::int as killed from pg_stat_activity
      where datname = current_database() and application_name = ${APP_NAME}`;
    return killed;
  }

  /** Resets every connection the app holds, as a network cut or a failover does. */
  async function resetConnections(): Promise<number> {
    const sockets = [...appSockets];
    for (const socket of sockets) socket.resetAndDestroy();
    return sockets.length;
  }

  /**
   * Webhook and page requests without pause while `cut` runs CUT_ROUNDS times;
   * then the app must still run, have answered every request with 200 or 503,
   * and serve webhooks, pages and live updates again.
   */
  async function survives(tag: string, cut: () => Promise<number>) {
    const agent = await createUser({ role: "agent" });
    const live = new AbortController();
    const events = await fetch(`${app.url}/events`, { headers: { cookie: agent.cookie }, signal: live.signal });
    expect(events.status).toBe(200);
    const stream = readEventStream(events.body!);
    await stream.until((text) => text.startsWith("retry:"));

    const outcomes = new Map<string, number>();
    let cutting = true;
    async function client(kind: string, request: (n: number) => Promise<Response>) {
      for (let n = 0; cutting; n++) {
        let outcome: string;
        try {
          const response = await request(n);
          await response.arrayBuffer();
          outcome = `${kind} ${response.status}`;
        } catch (error) {
          outcome = `${kind} without a response (${(error as { cause?: { code?: string } }).cause?.code ?? String(error)})`;
        }
        outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      }
    }
    const clients = [
      ...Array.from({ length: WEBHOOK_CLIENTS }, (_, c) =>
        client("webhook", (n) => webhook(`${tag}-${c}-${n}`, `+3161234${String(c).padStart(4, "0")}`)),
      ),
      ...Array.from({ length: PAGE_CLIENTS }, () => client("page", () => page(agent.cookie))),
    ];
    let cuts = 0;
    try {
      for (let round = 0; round < CUT_ROUNDS; round++) {
        await pause(50 + Math.random() * 100);
        cuts += await cut();
      }
    } finally {
      cutting = false;
      await Promise.all(clients);
    }
    const seen = Object.fromEntries([...outcomes].sort());

    expect(app.process.exitCode, output).toBeNull();
    expect(app.process.signalCode, output).toBeNull();
    expect(cuts).toBeGreaterThanOrEqual(CUT_ROUNDS);
    expect(
      Object.keys(seen).filter((outcome) => !/ (200|503)$/.test(outcome)),
      output,
    ).toEqual([]);

    await vi.waitFor(async () => expect((await fetch(`${app.url}/healthz`)).status).toBe(200), { timeout: 10_000 });
    const stored = await webhook(`${tag}-after`, "+31612349999");
    expect(stored.status).toBe(200);
    expect(await stored.json()).toEqual({ status: "stored", id: expect.any(String) });
    expect(await (await webhook(`${tag}-after`, "+31612349999")).json()).toEqual({ status: "duplicate" });
    expect((await page(agent.cookie)).status).toBe(200);
    // At once, so the pool reopens the connections that were cut, not just the one /healthz reopened.
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, n) => webhook(`${tag}-burst-${n}`, `+3161235${String(n).padStart(4, "0")}`)),
    );
    expect(burst.map((response) => response.status)).toEqual(burst.map(() => 200));

    // A NOTIFY sent before LISTEN is back is lost by design (subscribers get a resync): keep sending until one arrives.
    const sent: string[] = [];
    let heard = false;
    const sending = (async () => {
      for (let n = 0; !heard; n++) {
        const { id } = (await (await webhook(`${tag}-live-${n}`, "+31612349998")).json()) as { id: string };
        sent.push(id);
        await pause(200);
      }
    })();
    await stream.until((text) => sent.some((id) => text.includes(id)), 10_000).finally(() => (heard = true));
    await sending;
    live.abort();
  }

  test("answers 200 or 503 while Postgres ends its backends, stays up, then serves webhooks, pages and live updates again", async () => {
    await survives("killed", killBackends);
  });

  test("answers 200 or 503 while the network resets its connections, stays up, then serves webhooks, pages and live updates again", async () => {
    await survives("reset", resetConnections);
  });

  test("answers 503 at once while Postgres is unreachable, and 200 within moments of it being back", async () => {
    const { port } = proxy.address() as net.AddressInfo;
    const closed = new Promise((resolve) => proxy.close(resolve));
    await resetConnections();
    await closed;
    const outageEnds = performance.now() + OUTAGE_MS;
    for (let n = 0; performance.now() < outageEnds; n++) {
      const started = performance.now();
      const during = await Promise.all(
        Array.from({ length: 10 }, (_, c) => webhook(`outage-${n}-${c}`, `+3161236${String(c).padStart(4, "0")}`)),
      );
      expect(during.map((response) => response.status)).toEqual(during.map(() => 503));
      expect(performance.now() - started).toBeLessThan(PROMPT_MS);
    }
    await new Promise<void>((resolve) => proxy.listen(port, "127.0.0.1", resolve));
    const started = performance.now();
    expect((await webhook("outage-after", "+31612369999")).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(PROMPT_MS);
  });
});
