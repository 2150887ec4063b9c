import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { db } from "~/.server/platform/db/client";
import { conversations, messages, simulatedSms } from "~/.server/platform/db/schema";
import { startSelfAddressedApp, stopApp, type AppProcess } from "../support/app-process";
import { browser } from "../support/browser";
import { CookieJar } from "../support/route-call";
import { createUser } from "../support/factories";

let phoneCounter = 0;
/** Valid Dutch mobile numbers ending in 1: never a simulator failure scenario. */
const freshPhone = () => `+316200${String(++phoneCounter).padStart(4, "0")}1`;

async function conversationWith(phone: string, userId: string | null = null) {
  const [conversation] = await db
    .insert(conversations)
    .values({ contactNumber: phone, virtualNumber: "+447700900000", userId })
    .returning();
  return conversation!;
}

/** SMS the simulator gateway accepted for this number: what the operator pays for. */
const smsSentTo = async (phone: string) =>
  (await db.select().from(simulatedSms).where(eq(simulatedSms.toNumber, phone))).length;

describe("reply limits over HTTP", () => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await startSelfAddressedApp();
  });
  afterAll(() => stopApp(app));

  const signedInBrowser = (cookie: string) => {
    const jar = new CookieJar();
    jar.store(new Headers({ "set-cookie": cookie }));
    return browser(app.url, { jar });
  };
  const reply = (body: string) => ({ intent: "send", body, idempotencyKey: randomUUID() });

  test("25 replies at once to one conversation: 10 reach the gateway, the rest are refused with Retry-After and keep their text", async () => {
    const phone = freshPhone();
    const member = await createUser({ phone });
    const conversation = await conversationWith(phone, member.id);
    const thread = signedInBrowser(member.cookie);

    const bodies = Array.from({ length: 25 }, (_, i) => `Burst reply number ${i}`);
    const answers = await Promise.all(bodies.map((body) => thread.post(`/messages/${conversation.id}`, reply(body))));

    expect(answers.filter((a) => a.status === 302)).toHaveLength(10);
    const refused = answers.flatMap((answer, i) => (answer.status === 429 ? [{ answer, body: bodies[i]! }] : []));
    expect(refused).toHaveLength(15);
    for (const { answer, body } of refused) {
      const retryAfter = Number(answer.headers.get("retry-after"));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(answer.html).toContain("Too many replies in a short time. Try again in");
      expect(answer.html).toMatch(new RegExp(`<textarea[^>]*>${body}</textarea>`));
    }
    // The app's worker sends what was stored, within moments.
    await vi.waitFor(async () => expect(await smsSentTo(phone)).toBe(10), { timeout: 15_000, interval: 100 });
    expect(await db.select().from(messages).where(eq(messages.conversationId, conversation.id))).toHaveLength(10);

    // With JavaScript the form posts to the .data URL: same refusal, same header, the typed text in the answer.
    const withJs = await thread.post(`/messages/${conversation.id}.data`, reply("Typed with JavaScript on"));
    expect(withJs).toHaveStatus(429);
    expect(Number(withJs.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(withJs.html).toContain("Too many replies in a short time");
    expect(withJs.html).toContain("Typed with JavaScript on");

    // Retry sends an SMS too, so it counts against the same limits.
    const [failed] = await db
      .insert(messages)
      .values({
        conversationId: conversation.id,
        direction: "outbound",
        body: "Failed earlier",
        fromNumber: "+447700900000",
        toNumber: phone,
        status: "failed",
        authorUserId: member.id,
      })
      .returning();
    const retry = await thread.post(`/messages/${conversation.id}`, { intent: "send-now", messageId: failed!.id });
    expect(retry).toHaveStatus(429);
    expect(Number(retry.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(retry.html).toContain("Too many replies in a short time");
    expect(
      (
        await db
          .select()
          .from(messages)
          .where(and(eq(messages.id, failed!.id), eq(messages.status, "failed")))
      ).length,
    ).toBe(1);
    expect(await smsSentTo(phone)).toBe(10);
  });

  test("one sender's 21st reply within a minute is refused, whichever conversation it goes to", async () => {
    const agent = await createUser({ role: "agent" });
    const phones = Array.from({ length: 21 }, freshPhone);
    const threads = await Promise.all(phones.map((phone) => conversationWith(phone)));
    const browserOfAgent = signedInBrowser(agent.cookie);

    const answers = await Promise.all(threads.map((t) => browserOfAgent.post(`/messages/${t.id}`, reply("One each"))));
    expect(answers.filter((a) => a.status === 302)).toHaveLength(20);
    const [refused] = answers.filter((a) => a.status === 429);
    expect(Number(refused!.headers.get("retry-after"))).toBeGreaterThan(0);
    // The worker sends them a few at a time, beside every other job of a busy machine.
    await vi.waitFor(
      async () => {
        const sent = await Promise.all(phones.map(smsSentTo));
        expect(sent.reduce((sum, n) => sum + n, 0)).toBe(20);
      },
      { timeout: 15_000, interval: 100 },
    );
  });
});
