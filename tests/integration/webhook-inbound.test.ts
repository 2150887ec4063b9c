import { count, desc, eq, sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { database, db } from "~/.server/platform/db/client";
import { conversations, messages, simulatedSms, users, webhookRejections } from "~/.server/platform/db/schema";
import { EVENTS_CHANNEL, type InboxEvent } from "~/.server/platform/event-bus";
import { sendVerificationCode, verifyPhoneCode } from "~/.server/identity/phone-verification";
import { handleWebhook } from "~/.server/webhooks/handler";
import { action, loader } from "~/routes/webhooks.messagebird";
import { useMessageBirdMock } from "../mocks/messagebird";
import { createUser } from "../support/factories";
import { callAction, callLoader, jsonAnswer } from "../support/route-call";

const SECRET = "test-webhook-secret-0123456789";
const BASE = "http://localhost:3000/webhooks/messagebird";
const SENDER = "+31612345678";
// The tutorial's Flow Builder request: no message id, no timestamp.
const tutorialJson = { originator: "31612345678", recipient: "447700900000", payload: "Hello from my phone" };

async function call(request: Request, context: { clientIp?: string } = {}) {
  const options = { request, context };
  return jsonAnswer(request.method === "GET" ? await callLoader(loader, options) : await callAction(action, options));
}

const postJson = (json: unknown, { query = `?secret=${SECRET}` } = {}) =>
  new Request(`${BASE}${query}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(json),
  });

const messageCount = async () => (await db.select({ n: count() }).from(messages))[0]!.n;
const conversationOf = async (contactNumber: string) =>
  (await db.select().from(conversations).where(eq(conversations.contactNumber, contactNumber)))[0];
const lastRejection = async () =>
  (await db.select().from(webhookRejections).orderBy(desc(webhookRejections.id)).limit(1))[0];

// Phone verification sends its code through the simulator, which reports delivery over HTTP.
useMessageBirdMock();

beforeEach(async () => {
  await db.delete(messages);
  await db.delete(conversations);
  await db.delete(webhookRejections);
  await db.delete(simulatedSms);
  await db.delete(users);
});
afterEach(() => vi.useRealTimers());

describe("the tutorial's request", () => {
  test("JSON with ?secret= is stored and answered 200 only once committed", async () => {
    const { status, body } = await call(postJson(tutorialJson));
    expect(status).toBe(200);
    expect(body).toEqual({ status: "stored", id: expect.any(String) });
    const [message] = await db
      .select()
      .from(messages)
      .where(eq(messages.id, body.id as string));
    expect(message).toMatchObject({
      direction: "inbound",
      body: "Hello from my phone",
      fromNumber: SENDER,
      toNumber: "+447700900000",
      status: "received",
      providerMessageId: expect.stringMatching(/^derived:[0-9a-f]{64}$/),
    });
    expect(await conversationOf(SENDER)).toMatchObject({
      virtualNumber: "+447700900000",
      lastMessageAt: message!.createdAt,
    });
  });

  test("a wrong secret answers 401 with a short reason, stores nothing, and is recorded without the secret", async () => {
    const request = postJson(tutorialJson, { query: "?secret=guessed-secret-value" });
    expect(await call(request, { clientIp: "203.0.113.9" })).toEqual({ status: 401, body: { error: "wrong secret" } });
    expect(await messageCount()).toBe(0);
    expect(await conversationOf(SENDER)).toBeUndefined();
    const rejection = await lastRejection();
    expect(rejection).toMatchObject({
      route: "/webhooks/messagebird",
      status: 401,
      reason: "wrong secret",
      sourceIp: "203.0.113.9",
    });
    expect(rejection!.excerpt).toContain("Hello from my phone");
    expect(rejection!.excerpt).not.toContain("guessed-secret-value");
  });

  test("no credentials at all answers 401", async () => {
    expect(await call(postJson(tutorialJson, { query: "" }))).toEqual({
      status: 401,
      body: { error: "missing credentials" },
    });
    expect(await messageCount()).toBe(0);
  });

  test("repeating the good request answers 200 duplicate and keeps one message", async () => {
    const first = await call(postJson(tutorialJson));
    const again = await call(postJson(tutorialJson));
    expect(first.body.status).toBe("stored");
    expect(again).toEqual({ status: 200, body: { status: "duplicate" } });
    expect(await messageCount()).toBe(1);
  });
});

describe("formats", () => {
  const legacy = {
    id: "mb-legacy-1",
    recipient: "447700900000",
    originator: "31612345678",
    body: "Legacy 👋\nsecond line",
    createdDatetime: "2024-05-01T10:00:00+00:00",
  };

  test("a GET in the legacy format and a form POST are stored the same way as JSON", async () => {
    const query = new URLSearchParams({ ...legacy, secret: SECRET });
    const viaGet = await call(new Request(`${BASE}?${query}`));
    const form = new URLSearchParams({ ...legacy, id: "mb-form-1" });
    const viaForm = await call(new Request(`${BASE}?secret=${SECRET}`, { method: "POST", body: form }));
    const viaJson = await call(postJson({ ...legacy, id: "mb-json-1" }));
    expect([viaGet.status, viaForm.status, viaJson.status]).toEqual([200, 200, 200]);

    const stored = await db.select().from(messages).orderBy(messages.providerMessageId);
    expect(stored.map((m) => m.providerMessageId)).toEqual(["mb-form-1", "mb-json-1", "mb-legacy-1"]);
    for (const message of stored) {
      expect(message).toMatchObject({
        body: "Legacy 👋\nsecond line",
        fromNumber: SENDER,
        toNumber: "+447700900000",
        status: "received",
      });
    }
    expect(new Set(stored.map((m) => m.conversationId)).size).toBe(1);
  });

  test("a redelivered GET (same id) is a duplicate", async () => {
    const query = new URLSearchParams({ ...legacy, secret: SECRET });
    await call(new Request(`${BASE}?${query}`));
    expect((await call(new Request(`${BASE}?${query}`))).body).toEqual({ status: "duplicate" });
  });

  test("a long concatenated SMS is stored exactly, with its segment count", async () => {
    const text = "Emoji 🎉 and ünïcode, over many parts. ".repeat(50);
    const { body } = await call(postJson({ ...tutorialJson, payload: text }));
    const [message] = await db
      .select()
      .from(messages)
      .where(eq(messages.id, body.id as string));
    expect(message!.body).toBe(text);
    expect(message!.segments).toBe(Math.ceil(text.length / 67));
  });

  test("malformed input answers 400 naming the field, unknown content types 415; both recorded", async () => {
    expect(await call(postJson({ recipient: "447700900000", payload: "x" }))).toEqual({
      status: 400,
      body: { error: "originator: required" },
    });
    const xml = new Request(`${BASE}?secret=${SECRET}`, {
      method: "POST",
      headers: { "Content-Type": "text/xml" },
      body: "<sms/>",
    });
    expect(await call(xml)).toHaveStatus(415);
    const broken = new Request(`${BASE}?secret=${SECRET}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: '{"originator":',
    });
    expect(await call(broken)).toEqual({ status: 400, body: { error: "body: malformed JSON" } });
    expect(await messageCount()).toBe(0);
    const rejections = await db.select().from(webhookRejections).orderBy(webhookRejections.id);
    expect(rejections.map((r) => [r.status, r.reason])).toEqual([
      [400, "originator: required"],
      [415, 'content type "text/xml" is not JSON or a form'],
      [400, "body: malformed JSON"],
    ]);
  });
});

describe("limits", () => {
  test("a body declared over 64 KiB is refused with 413 before any of it is read", async () => {
    let pulls = 0;
    const body = new ReadableStream({
      pull(controller) {
        pulls++;
        controller.enqueue(new Uint8Array(1024));
      },
    });
    const request = new Request(`${BASE}?secret=${SECRET}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Content-Length": String(10 * 1024 * 1024) },
      body,
      duplex: "half",
    } as RequestInit);
    expect(await call(request)).toEqual({ status: 413, body: { error: "body larger than 64 KiB" } });
    expect(pulls).toBeLessThanOrEqual(1);
  });

  test("an endless body without Content-Length is cut off just past 64 KiB", async () => {
    let sent = 0;
    let cancelled = false;
    const body = new ReadableStream({
      pull(controller) {
        sent += 4096;
        controller.enqueue(new Uint8Array(4096).fill(0x20));
      },
      cancel() {
        cancelled = true;
      },
    });
    const request = new Request(`${BASE}?secret=${SECRET}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(await call(request)).toHaveStatus(413);
    expect(cancelled).toBe(true);
    expect(sent).toBeLessThan(64 * 1024 + 5 * 4096);
  });

  test("with no authentication method configured everything answers 503 and nothing is stored", async () => {
    const response = await handleWebhook(postJson(tutorialJson), "inbound", {
      auth: { appUrl: new URL("http://localhost:3000") },
    });
    expect(response).toHaveStatus(503);
    expect(await response.json()).toEqual({ error: "webhook not configured" });
    expect(await messageCount()).toBe(0);
  });
});

describe("who the conversation belongs to", () => {
  test("a message from a number nobody has verified is kept in an unclaimed conversation", async () => {
    const { status } = await call(postJson({ ...tutorialJson, originator: "+44 7700 900123" }));
    expect(status).toBe(200);
    expect(await conversationOf("+447700900123")).toMatchObject({ userId: null });
    expect(await messageCount()).toBe(1);
  });

  test("a message from a member's verified number lands in their conversation", async () => {
    const member = await createUser({ phone: SENDER });
    await call(postJson(tutorialJson));
    expect(await conversationOf(SENDER)).toMatchObject({ userId: member.id });
  });

  test("a member who verifies the number later gets the conversation, earlier messages included", async () => {
    const contact = "+31612340001";
    await call(postJson({ ...tutorialJson, originator: contact, payload: "before I signed up" }));
    const unclaimed = await conversationOf(contact);
    expect(unclaimed).toMatchObject({ userId: null });

    const member = await createUser();
    expect(await sendVerificationCode({ userId: member.id, phoneNumber: contact })).toMatchObject({ ok: true });
    const [sms] = await db.select().from(simulatedSms).where(eq(simulatedSms.toNumber, contact));
    const code = /\b(\d{6})\b/.exec(sms!.body)![1]!;
    expect(await verifyPhoneCode({ userId: member.id, code })).toMatchObject({
      ok: true,
      conversationId: unclaimed!.id,
    });

    await call(postJson({ ...tutorialJson, originator: contact, payload: "after" }));
    expect(await conversationOf(contact)).toMatchObject({ id: unclaimed!.id, userId: member.id });
    expect(await db.select().from(messages).where(eq(messages.conversationId, unclaimed!.id))).toHaveLength(2);
  });
});

describe("opt-out keywords", () => {
  test("STOP opts the number out and START opts it back in; both messages are kept", async () => {
    await call(postJson({ ...tutorialJson, payload: " stop ", messageId: "k1" }));
    const optedOut = (await conversationOf(SENDER))!.optedOutAt;
    expect(optedOut).toBeInstanceOf(Date);

    await call(postJson({ ...tutorialJson, payload: "Unsubscribe", messageId: "k2" }));
    expect((await conversationOf(SENDER))!.optedOutAt).toEqual(optedOut);

    await call(postJson({ ...tutorialJson, payload: "START", messageId: "k3" }));
    expect((await conversationOf(SENDER))!.optedOutAt).toBeNull();
    expect((await db.select().from(messages).orderBy(messages.createdAt)).map((m) => m.body)).toEqual([
      " stop ",
      "Unsubscribe",
      "START",
    ]);
  });

  test("a STOP inside a sentence is an ordinary message", async () => {
    await call(postJson({ ...tutorialJson, payload: "please stop the reminders" }));
    expect((await conversationOf(SENDER))!.optedOutAt).toBeNull();
  });
});

describe("redeliveries", () => {
  test("50 concurrent deliveries of one message store exactly one row", async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, () => call(postJson({ ...tutorialJson, messageId: "mb-burst" }))),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(results.filter((r) => r.body.status === "stored")).toHaveLength(1);
    expect(await messageCount()).toBe(1);
  });

  test("50 concurrent deliveries of a message without id or timestamp store exactly one row", async () => {
    const results = await Promise.all(Array.from({ length: 50 }, () => call(postJson(tutorialJson))));
    expect(results.filter((r) => r.body.status === "stored")).toHaveLength(1);
    expect(results.filter((r) => r.body.status === "duplicate")).toHaveLength(49);
    expect(await messageCount()).toBe(1);
  });

  test("without id, the same text is one message across the window boundary, and a new one later", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2030-01-01T09:59:59Z"));
    expect((await call(postJson(tutorialJson))).body.status).toBe("stored");
    vi.setSystemTime(new Date("2030-01-01T10:00:01Z"));
    expect((await call(postJson(tutorialJson))).body.status).toBe("duplicate");
    vi.setSystemTime(new Date("2030-01-01T10:25:00Z"));
    expect((await call(postJson(tutorialJson))).body.status).toBe("stored");
  });

  test("without id, a provider timestamp tells a redelivery from the same text sent again", async () => {
    const at = (receivedAt: string) => postJson({ ...tutorialJson, payload: "yes", receivedAt });
    expect((await call(at("2024-05-01T10:00:00Z"))).body.status).toBe("stored");
    expect((await call(at("2024-05-01T10:00:00Z"))).body.status).toBe("duplicate");
    expect((await call(at("2024-05-01T10:00:07Z"))).body.status).toBe("stored");
  });
});

describe("storage failure", () => {
  test("when the database cannot store the message the answer is 503 and nothing is half-stored", async () => {
    // The conversation upsert succeeds, then the message insert fails: the whole transaction must roll back.
    await db.execute(sql`alter table messages rename to messages_offline`);
    try {
      expect(await call(postJson(tutorialJson))).toEqual({ status: 503, body: { error: "storage unavailable" } });
    } finally {
      await db.execute(sql`alter table messages_offline rename to messages`);
    }
    expect(await conversationOf(SENDER)).toBeUndefined();
    expect(await messageCount()).toBe(0);
    // MessageBird retries; the retry is stored normally.
    expect((await call(postJson(tutorialJson))).body.status).toBe("stored");
  });

  test("when the database is unreachable the answer is 503", async () => {
    const transaction = vi
      .spyOn(db, "transaction")
      .mockRejectedValueOnce(Object.assign(new Error("write CONNECTION_CLOSED"), { code: "CONNECTION_CLOSED" }));
    expect(await call(postJson(tutorialJson))).toEqual({ status: 503, body: { error: "storage unavailable" } });
    transaction.mockRestore();
    expect(await messageCount()).toBe(0);
  });
});

describe("live-update events", () => {
  test("each stored message is published after its commit, with ids only", async () => {
    const contact = "+31612340077";
    const seen: { event: InboxEvent; visible: Promise<boolean> }[] = [];
    const unlisten = await database.listen(EVENTS_CHANNEL, (payload) => {
      for (const event of JSON.parse(payload) as InboxEvent[]) {
        // Published after commit: whoever reacts must already be able to read the message.
        seen.push({
          event,
          visible: db
            .select()
            .from(messages)
            .where(eq(messages.id, event.messageId))
            .then((rows) => rows.length === 1),
        });
      }
    });
    try {
      const stored = await Promise.all(
        [1, 2, 3].map((n) => call(postJson({ ...tutorialJson, originator: contact, messageId: `ev-${n}` }))),
      );
      await call(postJson({ ...tutorialJson, originator: contact, messageId: "ev-1" }));
      const conversation = await conversationOf(contact);
      const ours = () => seen.filter((s) => s.event.conversationId === conversation!.id);
      await vi.waitFor(() => expect(ours()).toHaveLength(3));
      expect(ours().map((s) => s.event)).toEqual(
        expect.arrayContaining(
          stored.map((s) => ({ kind: "message", conversationId: conversation!.id, messageId: s.body.id })),
        ),
      );
      expect(await Promise.all(ours().map((s) => s.visible))).toEqual([true, true, true]);
    } finally {
      await unlisten();
    }
  });
});
