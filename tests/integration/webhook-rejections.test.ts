import { setTimeout as sleep } from "node:timers/promises";
import { count, desc, sql, sum } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { db } from "~/.server/platform/db/client";
import { webhookRejections } from "~/.server/platform/db/schema";
import { purgeRejections, recentRejections, recordRejection, type Rejection } from "~/.server/webhooks/rejections";
import { startApp, stopApp, type AppProcess } from "../support/app-process";
import { createUser } from "../support/factories";

const INBOUND = "/webhooks/messagebird";
const SMS = JSON.stringify({ originator: "31612345678", recipient: "447700900000", payload: "let me in" });

beforeEach(async () => {
  await db.delete(webhookRejections);
});

/** Rows are per minute: start a burst early enough in one that it cannot straddle two. */
async function freshMinute(neededMs: number) {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < neededMs) await sleep(left + 200);
}

/** The text of each body row of the page's table, cell by cell. */
function tableRows(html: string): string[][] {
  const body = /<tbody[^>]*>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  const text = (cell: string) =>
    cell
      .replace(/<!--.*?-->/g, "")
      .replace(/<[^>]+>/g, "")
      .replace(/\s+/g, " ")
      .trim();
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map(([, row]) =>
    [...row!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map(([, cell]) => text(cell!)),
  );
}

describe("refused webhooks against the running app", () => {
  let app: AppProcess;
  let stderr = "";
  const logLines = () =>
    stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(async () => {
    // The proxy's X-Forwarded-For says which client each request stands for.
    app = await startApp({ TRUST_PROXY: "127.0.0.1,::1" });
    app.process.stderr!.on("data", (chunk: Buffer) => (stderr += chunk));
  });
  afterAll(() => stopApp(app));

  const refuse = (from: string, credentials = "?secret=not-the-secret") =>
    fetch(`${app.url}${INBOUND}${credentials}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": from },
      body: SMS,
    }).then((response) => response.status);

  async function inParallel(total: number, send: (n: number) => Promise<number>) {
    const statuses: number[] = [];
    let next = 0;
    const worker = async () => {
      while (next < total) statuses.push(await send(next++));
    };
    await Promise.all(Array.from({ length: 25 }, worker));
    return statuses;
  }

  async function untilLogged(predicate: (line: Record<string, unknown>) => boolean) {
    for (let waited = 0; !logLines().some(predicate); waited += 20) {
      if (waited > 5_000) throw new Error(`not logged; stderr:\n${stderr}`);
      await sleep(20);
    }
  }

  test(
    "500 refusals from one client are one row counting 500 and one log line; another reason or client still shows, on top",
    { timeout: 90_000 },
    async () => {
      await freshMinute(20_000);
      const statuses = await inParallel(500, () => refuse("198.51.100.7"));
      expect(statuses).toEqual(Array(500).fill(401));
      expect(await refuse("198.51.100.7", "")).toBe(401);
      expect(await refuse("203.0.113.50")).toBe(401);
      await untilLogged((line) => line.sourceIp === "203.0.113.50");

      const admin = await createUser({ role: "admin" });
      const page = await fetch(`${app.url}/admin/webhooks`, { headers: { cookie: admin.cookie } });
      expect(page).toHaveStatus(200);
      const rows = tableRows(await page.text());
      // When, requests, route, answer, reason, from, start of the first request.
      expect(rows.map(([, requests, , answer, reason, from]) => [requests, answer, reason, from])).toEqual([
        ["×1", "401", "wrong secret", "203.0.113.50"],
        ["×1", "401", "missing credentials", "198.51.100.7"],
        ["×500", "401", "wrong secret", "198.51.100.7"],
      ]);
      // The flood's row says from when to when within its minute (in UTC, and saying so, without a time zone cookie).
      expect(rows[2]![0]).toMatch(/\d\d:\d\d:\d\d UTC to \d\d:\d\d:\d\d UTC$/);

      const flood = logLines().filter(
        (line) => line.message === "webhook rejected" && line.sourceIp === "198.51.100.7",
      );
      expect(flood.map((line) => line.reason)).toEqual(["wrong secret", "missing credentials"]);
    },
  );

  test(
    "refusals from 150 clients in a minute are all counted, but at most 100 are logged, then one line says so",
    { timeout: 90_000 },
    async () => {
      await freshMinute(20_000);
      const logged = logLines().length;
      const statuses = await inParallel(150, (n) => refuse(`10.9.${n >> 8}.${n & 255}`));
      expect(statuses).toEqual(Array(150).fill(401));
      await untilLogged((line) => line.message === "further webhook rejections this minute are not logged");

      const [counted] = await db
        .select({ rows: count(), requests: sum(webhookRejections.count) })
        .from(webhookRejections);
      expect(counted).toEqual({ rows: 150, requests: "150" });
      const lines = logLines().slice(logged);
      expect(lines.filter((line) => line.message === "webhook rejected").length).toBeLessThanOrEqual(100);
      expect(
        lines.filter((line) => line.message === "further webhook rejections this minute are not logged"),
      ).toHaveLength(1);
    },
  );
});

describe("the cap on the rejection log", () => {
  const cap = { maxRows: 50, headroom: 10 };
  const rejection = (sourceIp: string, reason = "wrong secret"): Rejection => ({
    route: INBOUND,
    status: 401,
    reason,
    sourceIp,
    url: new URL(`http://localhost:3000${INBOUND}`),
    body: new TextEncoder().encode(SMS),
  });
  const rowCount = async () => (await db.select({ n: count() }).from(webhookRejections))[0]!.n;

  test("a flood from 1,000 distinct clients never holds more than the cap, and the newest rows, a real refusal among them, stay", async () => {
    let most = 0;
    for (let n = 0; n < 1_000; n++) {
      await recordRejection(rejection(`2001:db8::${n.toString(16)}`), cap);
      most = Math.max(most, await rowCount());
    }
    await recordRejection(
      rejection("198.51.100.7", "invalid signature: url_hash does not match the public URL (check APP_URL)"),
      cap,
    );
    expect(most).toBeLessThanOrEqual(cap.maxRows);
    expect(await rowCount()).toBeLessThanOrEqual(cap.maxRows);

    const [newest, next] = await recentRejections(2);
    expect(newest).toMatchObject({ sourceIp: "198.51.100.7", reason: expect.stringContaining("url_hash"), count: 1 });
    expect(next).toMatchObject({ sourceIp: "2001:db8::3e7" });
    const kept = await db
      .select({ sourceIp: webhookRejections.sourceIp })
      .from(webhookRejections)
      .orderBy(desc(webhookRejections.id));
    // No hole: whatever was dropped was older than everything kept.
    expect(kept.slice(1).map((row) => row.sourceIp)).toEqual(
      Array.from({ length: kept.length - 1 }, (_, i) => `2001:db8::${(999 - i).toString(16)}`),
    );
  });

  test("the periodic purge drops rows older than 30 days and restores the cap whatever several instances added", async () => {
    await db.insert(webhookRejections).values(
      Array.from({ length: 80 }, (_, n) => ({
        route: INBOUND,
        status: 401,
        reason: "wrong secret",
        sourceIp: `192.0.2.${n}`,
      })),
    );
    await db.insert(webhookRejections).values({
      route: INBOUND,
      status: 401,
      reason: "from last season",
      sourceIp: "192.0.2.200",
      createdAt: sql`now() - interval '31 days'`,
      minute: sql`date_trunc('minute', now() - interval '31 days')`,
    });
    await purgeRejections(cap);
    const left = await db.select({ reason: webhookRejections.reason }).from(webhookRejections);
    expect(left.length).toBeLessThanOrEqual(cap.maxRows - cap.headroom);
    expect(left.map((row) => row.reason)).not.toContain("from last season");
  });
});
