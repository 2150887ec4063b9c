import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { count, sql } from "drizzle-orm";
import { SignJWT } from "jose";
import postgres from "postgres";
import { afterAll, beforeEach, describe, expect, test, vi } from "vitest";
import { db } from "~/.server/platform/db/client";
import { conversations, messages, webhookNonces, webhookRejections } from "~/.server/platform/db/schema";
import { action } from "~/routes/webhooks.messagebird";
import { loader as statusLoader } from "~/routes/webhooks.messagebird.status";
import { startApp, stopApp, type AppProcess } from "../support/app-process";
import { callAction, callLoader, jsonAnswer } from "../support/route-call";

// This file runs the app with a signing key configured, as a deployment using
// MessageBird-Signature-JWT would; it must be set before env.ts is first imported.
const SIGNING_KEY = vi.hoisted(() => {
  process.env.MESSAGEBIRD_SIGNING_KEY = "integration-signing-key-0123456789";
  return process.env.MESSAGEBIRD_SIGNING_KEY;
});
// Test files may share a worker process: leave no key behind for the next one.
afterAll(() => {
  delete process.env.MESSAGEBIRD_SIGNING_KEY;
});

// APP_URL is http://localhost:3000: what MessageBird calls, and what it signs.
const PUBLIC_URL = "http://localhost:3000/webhooks/messagebird";
// What the app sees behind a reverse proxy.
const INTERNAL_URL = "http://10.1.2.3:8080/webhooks/messagebird";
const body = JSON.stringify({
  originator: "31612345678",
  recipient: "447700900000",
  payload: "signed hello",
  messageId: "mb-signed-1",
});
const sha256 = (data: string) => createHash("sha256").update(data).digest("hex");

async function sign({ url = PUBLIC_URL, payload = body, jti = crypto.randomUUID() } = {}) {
  return new SignJWT({ url_hash: sha256(url), payload_hash: sha256(payload) })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer("MessageBird")
    .setNotBefore("0s")
    .setExpirationTime("60s")
    .setJti(jti)
    .sign(new TextEncoder().encode(SIGNING_KEY));
}

async function post(token: string, { url = INTERNAL_URL, payload = body } = {}) {
  const request = new Request(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "MessageBird-Signature-JWT": token },
    body: payload,
  });
  return jsonAnswer(await callAction(action, { request }));
}
const messageCount = async () => (await db.select({ n: count() }).from(messages))[0]!.n;
const replayed = { status: 401, body: { error: "replayed signature" } };

beforeEach(async () => {
  await db.delete(messages);
  await db.delete(conversations);
  await db.delete(webhookNonces);
  await db.delete(webhookRejections);
});

describe("MessageBird-Signature-JWT on the inbound webhook", () => {
  test("a valid signature and no secret is accepted, verified against APP_URL rather than the internal address", async () => {
    expect(await post(await sign())).toEqual({ status: 200, body: { status: "stored", id: expect.any(String) } });
    expect(await messageCount()).toBe(1);
  });

  test("a tampered body is refused and nothing is stored", async () => {
    const token = await sign();
    const tampered = body.replace("signed hello", "send me money");
    expect(await post(token, { payload: tampered })).toEqual({
      status: 401,
      body: { error: "invalid signature: payload_hash does not match the body" },
    });
    expect(await messageCount()).toBe(0);
  });

  test("a tampered URL is refused", async () => {
    const token = await sign({ url: `${PUBLIC_URL}?flow=a` });
    expect(await post(token, { url: `${INTERNAL_URL}?flow=b` })).toHaveStatus(401);
    expect(await post(await sign(), { url: `${INTERNAL_URL}?extra=1` })).toHaveStatus(401);
    expect(await messageCount()).toBe(0);
  });

  test("a replayed token (same jti) is refused, even on another instance sharing the database", async () => {
    const token = await sign();
    expect(await post(token)).toHaveStatus(200);
    expect(await post(token)).toEqual(replayed);
    expect(await db.select({ n: count() }).from(webhookNonces)).toEqual([{ n: 1 }]);
  });

  test("a token whose message could not be stored is not burnt: MessageBird's retry with it succeeds, a replay after that does not", async () => {
    const token = await sign();
    await db.execute(sql`alter table messages rename to messages_offline`);
    try {
      expect(await post(token)).toHaveStatus(503);
    } finally {
      await db.execute(sql`alter table messages_offline rename to messages`);
    }
    expect((await post(token)).body.status).toBe("stored");
    expect(await post(token)).toEqual(replayed);
  });

  test("identical signed requests at once: one is stored, the others refused, never stored twice", async () => {
    const token = await sign();
    const answers = await Promise.all(Array.from({ length: 5 }, () => post(token)));
    const stored = answers.filter((answer) => answer.body.status === "stored");
    expect(stored).toHaveLength(1);
    const others = answers.filter((answer) => answer !== stored[0]);
    expect(others).toEqual(Array(4).fill(expect.toBeOneOf([replayed, { status: 200, body: { status: "duplicate" } }])));
    expect(await messageCount()).toBe(1);
  });

  test("the shared secret still works alongside the signing key", async () => {
    const request = new Request(`${INTERNAL_URL}?secret=test-webhook-secret-0123456789`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
    });
    expect(await callAction(action, { request })).toHaveStatus(200);
  });
});

describe("MessageBird-Signature-JWT on delivery reports", () => {
  test("a signed report is applied once, and its replay refused", async () => {
    const [conversation] = await db
      .insert(conversations)
      .values({ contactNumber: "+31612345678", virtualNumber: "+447700900000" })
      .returning();
    const [message] = await db
      .insert(messages)
      .values({
        conversationId: conversation!.id,
        direction: "outbound",
        body: "hi",
        fromNumber: "+447700900000",
        toNumber: "+31612345678",
        status: "sent",
        providerMessageId: "mb-out-1",
      })
      .returning();
    const query = "?id=mb-out-1&status=delivered";
    const token = await sign({ url: `http://localhost:3000/webhooks/messagebird/status${query}`, payload: "" });
    const report = async () => {
      const request = new Request(`http://10.1.2.3:8080/webhooks/messagebird/status${query}`, {
        headers: { "MessageBird-Signature-JWT": token },
      });
      return jsonAnswer(await callLoader(statusLoader, { request }));
    };
    expect(await report()).toEqual({ status: 200, body: { status: "updated", id: message!.id } });
    expect(await report()).toEqual(replayed);
  });
});

// A process that dies between accepting a signed webhook and committing its
// message: the real server, killed while the message's insert waits on a lock.
describe("a crash before the message commits", () => {
  const appEnv = { MESSAGEBIRD_SIGNING_KEY: SIGNING_KEY };
  const send = (app: AppProcess, token: string) =>
    fetch(`${app.url}/webhooks/messagebird`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "MessageBird-Signature-JWT": token },
      body,
    }).then(async (response) => ({
      status: response.status,
      body: (await response.json()) as Record<string, unknown>,
    }));

  test(
    "leaves MessageBird's retry of the exact request acceptable: it is stored, and only a replay after that is refused",
    { timeout: 90_000 },
    async () => {
      const token = await sign();
      const pg = postgres(process.env.DATABASE_URL!, { max: 2, onnotice: () => {} });
      const crashing = await startApp(appEnv);
      try {
        await pg.begin(async (tx) => {
          await tx`lock table messages in access exclusive mode`;
          const lost = send(crashing, token).catch(() => "connection lost");
          for (let waited = 0; ; waited += 20) {
            const [waiting] = await pg<{ n: number }[]>`select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query like '%insert into "messages"%'`;
            if (waiting!.n > 0) break;
            if (waited > 10_000) throw new Error("the webhook never reached the message insert");
            await sleep(20);
          }
          const exited = new Promise((resolve) => crashing.process.once("exit", resolve));
          crashing.process.kill("SIGKILL");
          await exited;
          expect(await lost).toBe("connection lost");
        });
      } finally {
        await stopApp(crashing);
        await pg.end();
      }
      expect(await messageCount()).toBe(0);

      const restarted = await startApp(appEnv);
      try {
        const retry = await send(restarted, token);
        expect(retry).toEqual({ status: 200, body: { status: "stored", id: expect.any(String) } });
        expect(await send(restarted, token)).toEqual(replayed);
        expect(await messageCount()).toBe(1);
      } finally {
        await stopApp(restarted);
      }
    },
  );
});
