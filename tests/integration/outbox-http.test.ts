import { randomUUID } from "node:crypto";
import { eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, onTestFinished, test, vi } from "vitest";
import { db } from "~/.server/platform/db/client";
import { messages } from "~/.server/platform/db/schema";
import { startApp, stopApp, type AppProcess } from "../support/app-process";
import { browser } from "../support/browser";
import { startFakeMessageBird } from "../support/fake-messagebird";
import { createConversation, createUser } from "../support/factories";
import { CookieJar } from "../support/route-call";

// The built app, as deployed with a MessageBird key, sending to a fake MessageBird on loopback: every
// assertion is what the provider received and what the thread shows.
let fake: Awaited<ReturnType<typeof startFakeMessageBird>>;
beforeAll(async () => {
  fake = await startFakeMessageBird();
});
afterAll(() => fake.stop());

async function start() {
  const app = await startApp({
    MESSAGEBIRD_API_KEY: "test_live_key",
    MESSAGEBIRD_API_URL: fake.url(),
    // Short waits, so a test sees several attempts: retries 1–2 s apart, reports looked up after 10 s.
    SMS_RETRY_MAX_DELAY: "2",
    DELIVERY_REPORT_TIMEOUT: "10",
  });
  onTestFinished(() => stopApp(app));
  return app;
}

/** An agent's reply through the app's own form; resolves with the stored message's id. */
async function reply(app: AppProcess, body = "Hello from the outbox") {
  // An agent of its own each time: one agent's 21st reply in a minute would be refused.
  const agent = await createUser({ role: "agent" });
  const conversation = await createConversation();
  const jar = new CookieJar();
  jar.store(new Headers({ "set-cookie": agent.cookie }));
  const page = await browser(app.url, { jar }).post(`/messages/${conversation.id}`, {
    intent: "send",
    body,
    idempotencyKey: randomUUID(),
  });
  expect(page).toHaveStatus(302);
  const [stored] = await db.select().from(messages).where(eq(messages.conversationId, conversation.id));
  return stored!.id;
}

const row = async (id: string) => (await db.select().from(messages).where(eq(messages.id, id)))[0]!;
const settled = (ids: string[], status = "sent") =>
  vi.waitFor(
    async () => {
      const rows = await db.select().from(messages).where(inArray(messages.id, ids));
      expect(rows.map((r) => r.status)).toEqual(ids.map(() => status));
    },
    { timeout: 20_000, interval: 100 },
  );

describe("the outbox against MessageBird over HTTP", () => {
  test("MessageBird down: the reply waits with the reason, retries by itself, and goes out once when it is back", async () => {
    const app = await start();
    await fake.down();
    const id = await reply(app);
    await vi.waitFor(async () => expect((await row(id)).attempts).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
    const waiting = await row(id);
    expect(waiting).toMatchObject({ status: "queued", errorMessage: "MessageBird unreachable." });
    expect(waiting.waitingSince).not.toBeNull();
    expect(waiting.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now() - 1_000);

    await fake.up();
    await settled([id]);
    expect(fake.postsFor(id)).toBe(1);
    expect(await row(id)).toMatchObject({ waitingSince: null, nextAttemptAt: null, errorMessage: null });
  });

  test("a restart with three replies waiting sends each of them once", async () => {
    const first = await start();
    await fake.down();
    const ids = [await reply(first, "one"), await reply(first, "two"), await reply(first, "three")];
    await vi.waitFor(async () => {
      for (const id of ids) expect((await row(id)).attempts).toBeGreaterThanOrEqual(1);
    });
    await stopApp(first);
    await fake.up();
    await start();
    await settled(ids);
    for (const id of ids) expect(fake.postsFor(id)).toBe(1);
  });

  test("SIGTERM while a send is under way: the attempt finishes and is recorded, and nothing goes out again", async () => {
    const first = await start();
    fake.answerNext("accept-slowly");
    const id = await reply(first);
    await vi.waitFor(() => expect(fake.postsFor(id)).toBe(1));
    await stopApp(first);
    expect(await row(id)).toMatchObject({ status: "sent", sendingUntil: null });
    await start();
    // A restarted worker finds nothing left to do for it.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(fake.postsFor(id)).toBe(1);
  });

  test("an answer lost after MessageBird accepted is looked up (past its first page), adopted and not sent again", async () => {
    const app = await start();
    fake.answerNext("accept-then-drop");
    const id = await reply(app);
    await vi.waitFor(async () => expect(await row(id)).toMatchObject({ outcomeUnknown: true }));
    // 45 other messages went out since: the lookup must page past the first 20.
    for (let i = 0; i < 45; i++) {
      fake.stored.unshift({
        id: `other-${i}`,
        reference: null,
        createdDatetime: new Date().toISOString(),
        recipient: "+31612345678",
        status: "sent",
      });
    }
    await settled([id]);
    expect(fake.postsFor(id)).toBe(1);
    expect((await row(id)).providerMessageId).toBe(fake.stored.find((m) => m.reference === id)!.id);
  });

  test("a permanent refusal (422) fails at once with MessageBird's reason", async () => {
    const app = await start();
    fake.answerNext({
      status: 422,
      errors: [{ code: 9, description: "no (correct) recipients found", parameter: "recipient" }],
    });
    const id = await reply(app);
    await settled([id], "failed");
    expect(await row(id)).toMatchObject({
      attempts: 1,
      errorMessage: "This phone number cannot receive SMS (MessageBird: no (correct) recipients found).",
    });
    expect(fake.postsFor(id)).toBe(1);
  });

  test("429 with Retry-After: 5 is not tried again before 5 s", async () => {
    const app = await start();
    fake.answerNext({ status: 429, errors: [{ code: 98, description: "Too many requests" }], retryAfter: 5 });
    const id = await reply(app);
    await settled([id]);
    const [firstTry, secondTry] = fake.posts.filter((post) => post.reference === id);
    expect(secondTry!.at - firstTry!.at).toBeGreaterThanOrEqual(5_000);
  });

  test("two instances draining one outbox send every message once", async () => {
    const [a, b] = await Promise.all([start(), start()]);
    await fake.down();
    const ids = await Promise.all(Array.from({ length: 12 }, (_, i) => reply(i % 2 ? a : b, `reply ${i}`)));
    await fake.up();
    await settled(ids);
    for (const id of ids) expect(fake.postsFor(id)).toBe(1);
  });

  test(
    "a sent reply whose delivery report never came is looked up and shown delivered",
    { timeout: 100_000 },
    async () => {
      const app = await start();
      const id = await reply(app);
      await settled([id]);
      fake.stored.find((m) => m.reference === id)!.status = "delivered";
      // DELIVERY_REPORT_TIMEOUT is 10 s here: looked up about then, and at the latest by the minute's sweep after.
      const jobs = () =>
        db.execute(sql`select task_identifier, run_at, attempts, last_error, locked_at from graphile_worker.jobs`);
      await vi.waitFor(
        async () =>
          expect((await row(id)).status, `${JSON.stringify(await jobs())}\n${app.stderr()}`).toBe("delivered"),
        { timeout: 80_000, interval: 250 },
      );
    },
  );
});
