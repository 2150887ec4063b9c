import { count, eq, inArray, sql } from "drizzle-orm";
import postgres from "postgres";
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { receiveInbound } from "~/.server/conversations/inbound";
import { db } from "~/.server/platform/db/client";
import { conversations, messages, webhookRejections } from "~/.server/platform/db/schema";
import { action } from "~/routes/webhooks.messagebird";
import { startApp, stopApp } from "../support/app-process";
import { callAction, jsonAnswer } from "../support/route-call";

// Webhooks that arrive while one is being written are stored together; MessageBird must not notice.
const SECRET = "test-webhook-secret-0123456789";
const WEBHOOK_URL = `http://localhost:3000/webhooks/messagebird?secret=${SECRET}`;

const sms = (n: number, fields: Record<string, string> = {}) => ({
  originator: `3161234${String(n % 40).padStart(4, "0")}`,
  recipient: "447700900000",
  payload: `message ${n}`,
  messageId: `batch-${n}`,
  ...fields,
});

const post = (json: unknown) =>
  new Request(WEBHOOK_URL, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(json),
  });
const call = async (json: unknown) => jsonAnswer(await callAction(action, { request: post(json), context: {} }));

const messageCount = async () => (await db.select({ n: count() }).from(messages))[0]!.n;

beforeEach(async () => {
  await db.delete(messages);
  await db.delete(conversations);
  await db.delete(webhookRejections);
});

describe("many webhooks at once", () => {
  test("200 distinct SMS are all stored, each answered only once its row is visible to another connection", async () => {
    // On PGlite there is one connection; on Postgres the check uses one the app does not share.
    const other = process.env.DATABASE_URL ? postgres(process.env.DATABASE_URL, { max: 4, onnotice: () => {} }) : null;
    const visible = async (id: string) =>
      other
        ? (await other`select 1 from messages where id = ${id}`).length === 1
        : (await db.select({ id: messages.id }).from(messages).where(eq(messages.id, id))).length === 1;
    try {
      const checks = await Promise.all(
        Array.from({ length: 200 }, async (_, n) => {
          const answer = await call(sms(n));
          return { answer, visible: answer.status === 200 && (await visible(answer.body.id as string)) };
        }),
      );
      expect(checks.map((check) => check.answer.body.status)).toEqual(Array(200).fill("stored"));
      expect(checks.every((check) => check.visible)).toBe(true);
      expect(await messageCount()).toBe(200);
      // 40 senders: every SMS in its sender's conversation, each conversation's last message time set.
      const threads = await db
        .select({ n: count(), last: sql<Date>`max(${messages.createdAt})` })
        .from(messages)
        .groupBy(messages.conversationId);
      expect(threads).toHaveLength(40);
      expect(threads.every((thread) => thread.n === 5)).toBe(true);
      const stale = await db
        .select({ id: conversations.id })
        .from(conversations)
        .where(
          sql`${conversations.lastMessageAt} is distinct from (select max(created_at) from messages m where m.conversation_id = ${conversations.id})`,
        );
      expect(stale).toEqual([]);
    } finally {
      await other?.end();
    }
  });

  test("the same id twice among concurrent webhooks: one row, one stored, one duplicate", async () => {
    // The first request is written at once; the ones arriving meanwhile queue up and go in together.
    const answers = await Promise.all([call(sms(1)), call(sms(2)), call(sms(2)), call(sms(3))]);
    expect(answers.map((answer) => answer.body.status)).toEqual(["stored", "stored", "duplicate", "stored"]);
    expect(await db.select().from(messages).where(eq(messages.providerMessageId, "batch-2"))).toHaveLength(1);
    expect(await messageCount()).toBe(3);
  });

  test("STOP then START from one sender at once leave them opted in, in arrival order", async () => {
    const from = { originator: "31612349999" };
    await Promise.all([
      call(sms(10, from)),
      call(sms(11, { ...from, payload: "STOP" })),
      call(sms(12, { ...from, payload: "START" })),
    ]);
    const [conversation] = await db.select().from(conversations).where(eq(conversations.contactNumber, "+31612349999"));
    expect(conversation!.optedOutAt).toBeNull();
    await Promise.all([
      call(sms(13, from)),
      call(sms(14, { ...from, payload: "START" })),
      call(sms(15, { ...from, payload: "STOP" })),
    ]);
    const [after] = await db.select().from(conversations).where(eq(conversations.contactNumber, "+31612349999"));
    expect(after!.optedOutAt).not.toBeNull();
  });
});

describe("redeliveries without an id", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test("one arriving in the same batch as its original, across the dedupe window's boundary, is a duplicate", async () => {
    // Windows are 10 minutes from the epoch: the original lands just before a boundary, its redelivery just after.
    const boundary = Date.parse("2026-01-01T00:10:00Z");
    vi.useFakeTimers({ toFake: ["Date"], now: boundary - 1_000 });
    const text = { from: "+31612348888", to: "+447700900000", body: `see you at 9 ${randomUUID()}` };
    // The first is written at once; the original and its redelivery arrive meanwhile and go in one batch.
    const pending = [receiveInbound({ ...text, body: "unrelated", providerMessageId: randomUUID() })];
    pending.push(receiveInbound(text));
    vi.setSystemTime(boundary + 1_000);
    pending.push(receiveInbound(text));
    const answers = await Promise.all(pending);

    expect(answers.map((answer) => answer.status)).toEqual(["stored", "stored", "duplicate"]);
    expect(await db.select().from(messages).where(eq(messages.body, text.body))).toHaveLength(1);
  });
});

describe("keywords stored together", () => {
  // Every ordering of three texts drawn from STOP, START and plain text, on a
  // conversation opted in or already opted out: stored in one batch, each
  // leaves consent exactly as storing them one at a time does.
  const WORDS = ["STOP", "START", "hello"];
  const orderings = WORDS.flatMap((a) => WORDS.flatMap((b) => WORDS.map((c) => [a, b, c])));
  const TO = "+447700900000";
  let sender = 0;

  afterEach(() => {
    vi.useRealTimers();
  });

  /** Opted in (null), or which text's arrival time stands as the opt-out ("before" for the initial STOP). */
  async function consentOf(from: string, texts: { id: string }[]) {
    const [conversation] = await db.select().from(conversations).where(eq(conversations.contactNumber, from));
    const optedOutAt = conversation!.optedOutAt?.getTime();
    if (optedOutAt === undefined) return null;
    const stored = await db
      .select({ id: messages.providerMessageId, at: messages.createdAt })
      .from(messages)
      .where(eq(messages.conversationId, conversation!.id));
    const setBy = stored.find((message) => message.at.getTime() === optedOutAt)?.id;
    return texts.findIndex((text) => text.id === setBy);
  }

  async function scenario(words: string[], optedOutBefore: boolean, together: boolean) {
    const from = `+3161300${String(++sender).padStart(4, "0")}`;
    const text = (body: string) => ({ from, to: TO, body, providerMessageId: `kw-${from}-${randomUUID()}` });
    // Arrival times a second apart, so the time the opt-out kept tells which text set it.
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-01-01T00:00:00Z") });
    const tick = () => vi.setSystemTime(Date.now() + 1_000);
    const first = text(optedOutBefore ? "STOP" : "hello");
    await receiveInbound(first);
    const texts = words.map(text);
    if (together) {
      // The first is written at once; the three arriving meanwhile wait for it and go in one batch.
      tick();
      const pending = [receiveInbound(text("hello"))];
      for (const sms of texts) {
        tick();
        pending.push(receiveInbound(sms));
      }
      await Promise.all(pending);
    } else {
      for (const sms of texts) {
        tick();
        await receiveInbound(sms);
      }
    }
    vi.useRealTimers();
    return consentOf(
      from,
      [first, ...texts].map((sms) => ({ id: sms.providerMessageId })),
    );
  }

  test.each([false, true])("one batch or one at a time, same consent (opted out before: %s)", async (optedOut) => {
    for (const words of orderings) {
      const oneByOne = await scenario(words, optedOut, false);
      const together = await scenario(words, optedOut, true);
      expect({ words, consent: together }).toEqual({ words, consent: oneByOne });
    }
  });
});

describe("one bad row among many", () => {
  beforeEach(async () => {
    // Stands in for whatever one row could trip over (a constraint, a trigger, a value Postgres refuses).
    await db.execute(sql`create or replace function refuse_poison() returns trigger language plpgsql as $$
      begin
        if new.body = 'poison' then raise exception 'poisoned row'; end if;
        return new;
      end $$`);
    await db.execute(
      sql`create trigger refuse_poison before insert on messages for each row execute function refuse_poison()`,
    );
  });
  afterEach(async () => {
    await db.execute(sql`drop trigger refuse_poison on messages`);
    await db.execute(sql`drop function refuse_poison()`);
  });

  test("stores its neighbours and answers 503 only for the bad one", async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, n) => call(sms(n, n === 7 ? { payload: "poison" } : {}))),
    );
    expect(answers[7]).toEqual({ status: 503, body: { error: "storage unavailable" } });
    const others = answers.filter((_, n) => n !== 7);
    expect(others.map((answer) => answer.status)).toEqual(Array(19).fill(200));
    expect(others.map((answer) => answer.body.status)).toEqual(Array(19).fill("stored"));
    expect(await messageCount()).toBe(19);
    expect(
      await db
        .select()
        .from(messages)
        .where(inArray(messages.providerMessageId, ["batch-7"])),
    ).toEqual([]);
  });
});

describe.runIf(!!process.env.TEST_DATABASE_URL)("shutting down", () => {
  test("SIGTERM while webhooks are being written: every acknowledged SMS is stored", { timeout: 90_000 }, async () => {
    const app = await startApp();
    const sent = Array.from({ length: 200 }, (_, n) =>
      fetch(`${app.url}/webhooks/messagebird?secret=${SECRET}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(sms(1000 + n)),
      }).then(
        async (response) => ({
          status: response.status,
          body: (await response.json()) as { status?: string; id?: string },
        }),
        () => ({ status: 0, body: {} as { status?: string; id?: string } }),
      ),
    );
    // Stop once the first answers are in: the rest are queued or in a transaction.
    await Promise.race(sent);
    await stopApp(app);
    const answers = await Promise.all(sent);
    const acknowledged = answers.filter((answer) => answer.status === 200).map((answer) => answer.body.id!);
    expect(acknowledged.length).toBeGreaterThan(0);
    const stored = await db.select({ id: messages.id }).from(messages).where(inArray(messages.id, acknowledged));
    expect(stored).toHaveLength(acknowledged.length);
  });
});
