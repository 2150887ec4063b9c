import { eq, sql } from "drizzle-orm";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { db } from "~/.server/platform/db/client";
import { conversations, messages, users } from "~/.server/platform/db/schema";
import { PAGE_SIZE } from "~/.server/conversations/threads";
import * as thread from "~/routes/messages.$conversationId";
import * as inbox from "~/routes/messages._index";
import { applyDeliveryReport, failUnconfirmedReplies, UNCONFIRMED_AFTER_MS } from "~/.server/conversations/delivery-status";
import { messageAccepted, messagebirdUnreachable, refusals, type SentRequest } from "../mocks/messagebird";
import { settle } from "../support/route-call";
import { signedInUser } from "../support/session";

// This file sends through the real MessageBird SDK (intercepted by MSW), not the simulator.
vi.hoisted(() => {
  process.env.MESSAGEBIRD_API_KEY = "test_access_key";
});

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

let phoneCounter = 0;
async function memberWithConversation() {
  const phone = `+3161000${String(++phoneCounter).padStart(4, "0")}`;
  const member = await signedInUser("member", phone);
  const [conversation] = await db
    .insert(conversations)
    .values({ contactNumber: phone, virtualNumber: "+447700900000", userId: member.id })
    .returning();
  return { member, conversation: conversation!, phone };
}

const request = (cookie: string, path: string, form?: Record<string, string>) =>
  new Request(new URL(path, "http://localhost:3000"), {
    method: form ? "POST" : "GET",
    headers: { cookie, ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
    body: form ? new URLSearchParams(form) : undefined,
  });

const openThread = (cookie: string, conversationId: string, query = "") =>
  settle<any>(() =>
    thread.loader({ request: request(cookie, `/messages/${conversationId}${query}`), params: { conversationId }, context: {} } as never),
  );

const post = (cookie: string, conversationId: string, form: Record<string, string>) =>
  settle<any>(() =>
    thread.action({ request: request(cookie, `/messages/${conversationId}`, form), params: { conversationId }, context: {} } as never),
  );

function recordSends(handler = messageAccepted) {
  const sent: SentRequest[] = [];
  server.use(handler({ id: `mb-${crypto.randomUUID()}`, onRequest: (r) => sent.push(r) }));
  return sent;
}

describe("replying", () => {
  test("a reply is stored, sent through MessageBird from our number to the conversation's number, and marked sent", async () => {
    const { member, conversation, phone } = await memberWithConversation();
    const sent = recordSends();
    const page = await openThread(member.cookie, conversation.id);
    const outcome = await post(member.cookie, conversation.id, { intent: "send", body: "Hi there", idempotencyKey: page.data.idempotencyKey });
    expect(outcome.location).toBe(`/messages/${conversation.id}`);

    const [stored] = await db.select().from(messages).where(eq(messages.conversationId, conversation.id));
    expect(stored).toMatchObject({ direction: "outbound", status: "sent", body: "Hi there", toNumber: phone, fromNumber: "+447700900000" });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toMatchObject({
      originator: "+447700900000",
      recipients: phone,
      body: "Hi there",
      reference: stored!.id,
      reportUrl: "http://localhost:3000/webhooks/messagebird/status?secret=test-webhook-secret-0123456789",
    });
    expect(stored!.providerMessageId).toMatch(/^mb-/);
  });

  test("a provider refusal stores the reply as failed with a reason; Retry reuses the same row", async () => {
    const { member, conversation } = await memberWithConversation();
    server.use(refusals.badRecipient());
    const { data } = await openThread(member.cookie, conversation.id);
    await post(member.cookie, conversation.id, { intent: "send", body: "Are you there?", idempotencyKey: data.idempotencyKey });
    const [failed] = await db.select().from(messages).where(eq(messages.conversationId, conversation.id));
    expect(failed).toMatchObject({ status: "failed", errorCode: "9" });
    expect(failed!.errorMessage).toMatch(/cannot receive SMS/);

    const page = await openThread(member.cookie, conversation.id);
    expect(page.data.messages.at(-1)).toMatchObject({ id: failed!.id, status: "failed", errorMessage: failed!.errorMessage });

    const sent = recordSends();
    const retried = await post(member.cookie, conversation.id, { intent: "retry", messageId: failed!.id });
    expect(retried.location).toBe(`/messages/${conversation.id}`);
    const rows = await db.select().from(messages).where(eq(messages.conversationId, conversation.id));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: failed!.id, status: "sent", errorMessage: null });
    expect(sent[0]!.body.reference).toBe(failed!.id);
  });

  test("a send MessageBird never answered stays 'Sending…' without Retry, until its delivery report arrives", async () => {
    const { member, conversation } = await memberWithConversation();
    server.use(messagebirdUnreachable());
    const { data } = await openThread(member.cookie, conversation.id);
    await post(member.cookie, conversation.id, { intent: "send", body: "Did this go?", idempotencyKey: data.idempotencyKey });
    const [pending] = await db.select().from(messages).where(eq(messages.conversationId, conversation.id));
    expect(pending).toMatchObject({ status: "queued", providerMessageId: null });
    expect((await post(member.cookie, conversation.id, { intent: "retry", messageId: pending!.id })).status).toBe(302);
    expect((await db.select().from(messages).where(eq(messages.id, pending!.id)))[0]!.status).toBe("queued");

    await applyDeliveryReport({ reference: pending!.id, providerMessageId: "mb-late", status: "delivered" });
    const [delivered] = await db.select().from(messages).where(eq(messages.id, pending!.id));
    expect(delivered).toMatchObject({ status: "delivered", providerMessageId: "mb-late" });
  });

  test("an unconfirmed send is offered for Retry after a while, and a late report still counts", async () => {
    const { member, conversation } = await memberWithConversation();
    server.use(messagebirdUnreachable());
    const { data } = await openThread(member.cookie, conversation.id);
    await post(member.cookie, conversation.id, { intent: "send", body: "Anyone?", idempotencyKey: data.idempotencyKey });
    const [pending] = await db.select().from(messages).where(eq(messages.conversationId, conversation.id));

    expect(await failUnconfirmedReplies(new Date(Date.now() + UNCONFIRMED_AFTER_MS - 5_000))).toBe(0);
    expect(await failUnconfirmedReplies(new Date(Date.now() + UNCONFIRMED_AFTER_MS + 5_000))).toBe(1);
    const [failed] = await db.select().from(messages).where(eq(messages.id, pending!.id));
    expect(failed!.status).toBe("failed");
    expect(failed!.errorMessage).toMatch(/may not have been sent/);

    await applyDeliveryReport({ reference: pending!.id, providerMessageId: "mb-later", status: "delivered" });
    const [delivered] = await db.select().from(messages).where(eq(messages.id, pending!.id));
    expect(delivered).toMatchObject({ status: "delivered", providerMessageId: "mb-later", errorMessage: null });
  });

  test("a double submit with one idempotency key stores one message and calls MessageBird once", async () => {
    const { member, conversation } = await memberWithConversation();
    const sent = recordSends();
    const { data } = await openThread(member.cookie, conversation.id);
    const form = { intent: "send", body: "Only once please", idempotencyKey: data.idempotencyKey };
    const outcomes = await Promise.all([post(member.cookie, conversation.id, form), post(member.cookie, conversation.id, form)]);
    await post(member.cookie, conversation.id, form); // and a resubmitted POST later
    expect(outcomes.map((o) => o.status)).toEqual([302, 302]);
    expect(await db.select().from(messages).where(eq(messages.conversationId, conversation.id))).toHaveLength(1);
    expect(sent).toHaveLength(1);
  });

  test("an opted-out conversation refuses replies on the server too", async () => {
    const { member, conversation } = await memberWithConversation();
    await db.update(conversations).set({ optedOutAt: new Date() }).where(eq(conversations.id, conversation.id));
    const sent = recordSends();
    const page = await openThread(member.cookie, conversation.id);
    expect(page.data.conversation.optedOut).toBe(true);
    const outcome = await post(member.cookie, conversation.id, { intent: "send", body: "Hello?", idempotencyKey: page.data.idempotencyKey });
    expect(outcome.status).toBe(409);
    expect(outcome.data.result.error[""][0]).toMatch(/opted out/);
    expect(await db.select().from(messages).where(eq(messages.conversationId, conversation.id))).toHaveLength(0);
    expect(sent).toHaveLength(0);
  });

  test("an empty or over-long reply gets a field error and keeps the typed text", async () => {
    const { member, conversation } = await memberWithConversation();
    const { data } = await openThread(member.cookie, conversation.id);
    const long = "x".repeat(1531);
    const outcome = await post(member.cookie, conversation.id, { intent: "send", body: long, idempotencyKey: data.idempotencyKey });
    expect(outcome.status).toBe(400);
    expect(outcome.data.result.error.body[0]).toMatch(/more than 10 SMS/);
    expect(outcome.data.result.initialValue.body).toBe(long);
    const empty = await post(member.cookie, conversation.id, { intent: "send", body: "   ", idempotencyKey: data.idempotencyKey });
    expect(empty.data.result.error.body).toEqual(["Type a message first."]);
  });
});

describe("visibility", () => {
  test("member A can neither read nor post to member B's conversation: 404 both ways", async () => {
    const a = await memberWithConversation();
    const b = await memberWithConversation();
    const sent = recordSends();
    expect((await openThread(a.member.cookie, b.conversation.id)).status).toBe(404);
    const { data } = await openThread(a.member.cookie, a.conversation.id);
    const outcome = await post(a.member.cookie, b.conversation.id, { intent: "send", body: "sneaky", idempotencyKey: data.idempotencyKey });
    expect(outcome.status).toBe(404);
    expect(sent).toHaveLength(0);
    expect((await openThread(a.member.cookie, "not-a-uuid")).status).toBe(404);
  });

  test("a conversation still pointing at a member who no longer holds its number is a 404 for them", async () => {
    const { member, conversation } = await memberWithConversation();
    // As if an SMS had raced the removal and written the old owner back.
    await db.update(users).set({ phoneNumber: null, phoneVerifiedAt: null }).where(eq(users.id, member.id));
    expect(conversation.userId).toBe(member.id);
    expect((await openThread(member.cookie, conversation.id)).status).toBe(404);
  });

  test("an agent sees every conversation, unclaimed ones included, with unread counts until opened", async () => {
    const { conversation } = await memberWithConversation();
    const [unclaimed] = await db.insert(conversations).values({ contactNumber: "+31699990000", virtualNumber: "+447700900000" }).returning();
    await db.insert(messages).values({
      conversationId: unclaimed!.id,
      direction: "inbound",
      body: "Anyone?",
      fromNumber: "+31699990000",
      toNumber: "+447700900000",
      status: "received",
    });
    await db.update(conversations).set({ lastMessageAt: new Date() }).where(eq(conversations.id, unclaimed!.id));
    const agent = await signedInUser("agent");
    const list = await settle<any>(() => inbox.loader({ request: request(agent.cookie, "/messages"), params: {}, context: {} } as never));
    const row = list.data.conversations.find((c: { id: string }) => c.id === unclaimed!.id);
    expect(row).toMatchObject({ claimed: false, unread: 1, lastMessage: { body: "Anyone?", direction: "inbound" } });
    expect(list.data.conversations.some((c: { id: string }) => c.id === conversation.id)).toBe(true);

    await openThread(agent.cookie, unclaimed!.id);
    const again = await settle<any>(() => inbox.loader({ request: request(agent.cookie, "/messages?q=9999"), params: {}, context: {} } as never));
    expect(again.data.conversations).toHaveLength(1);
    expect(again.data.conversations[0]).toMatchObject({ id: unclaimed!.id, unread: 0 });
  });

  test("a member's /messages goes straight to their conversation", async () => {
    const { member, conversation } = await memberWithConversation();
    const outcome = await settle(() => inbox.loader({ request: request(member.cookie, "/messages"), params: {}, context: {} } as never));
    expect(outcome.location).toBe(`/messages/${conversation.id}`);
  });
});

describe("pagination", () => {
  async function seed(conversationId: string, count: number, sameInstant = false) {
    const start = Date.parse("2026-01-01T00:00:00Z");
    await db.insert(messages).values(
      Array.from({ length: count }, (_, i) => ({
        conversationId,
        direction: "inbound" as const,
        body: `message ${i + 1}`,
        fromNumber: "+31600000000",
        toNumber: "+447700900000",
        status: "received" as const,
        // Several messages in one millisecond must still page without gaps or repeats.
        createdAt: new Date(sameInstant ? start + Math.floor(i / 7) : start + i * 1000),
      })),
    );
  }

  const sameInstant = (count: number) => count > PAGE_SIZE + 1;
  const bodies = (page: { data: { messages: { body: string }[] } }) => page.data.messages.map((m) => m.body);

  test.each([
    [PAGE_SIZE, 1],
    [PAGE_SIZE + 1, 2],
    [2 * PAGE_SIZE + 1, 3],
  ])("%i messages make %i page(s), newest first, each oldest-to-newest, nothing lost or repeated", async (count, pages) => {
    const { member, conversation } = await memberWithConversation();
    await seed(conversation.id, count, sameInstant(count));
    const seen: string[] = [];
    let query = "";
    for (let i = 0; i < pages; i++) {
      const page = await openThread(member.cookie, conversation.id, query);
      seen.unshift(...bodies(page));
      if (i === 0 && !sameInstant(count)) expect(bodies(page).at(-1)).toBe(`message ${count}`);
      if (i < pages - 1) expect(page.data.older).toBeTruthy();
      else expect(page.data.older).toBeNull();
      query = `?before=${page.data.older}`;
    }
    const all = Array.from({ length: count }, (_, i) => `message ${i + 1}`);
    // Within one millisecond the order is by id; across the whole thread every message appears exactly once.
    if (sameInstant(count)) expect([...seen].sort()).toEqual([...all].sort());
    else expect(seen).toEqual(all);
  });

  test("a forged cursor shows the newest page rather than failing", async () => {
    const { member, conversation } = await memberWithConversation();
    await seed(conversation.id, 3);
    const page = await openThread(member.cookie, conversation.id, "?before=garbage");
    expect(bodies(page)).toEqual(["message 1", "message 2", "message 3"]);
  });

  test("the thread query walks the (conversationId, createdAt, id) index", async () => {
    const { conversation } = await memberWithConversation();
    await seed(conversation.id, 200);
    await db.execute(sql`analyze messages`);
    // Tiny test tables favour a sequential scan; what matters is that the index serves the order (no Sort).
    const plan = await db.transaction(async (tx) => {
      await tx.execute(sql`set local enable_seqscan = off`);
      return tx.execute(sql`explain select * from messages where conversation_id = ${conversation.id}
        and (created_at, id) < (now(), gen_random_uuid()) order by created_at desc, id desc limit 51`);
    });
    const text = JSON.stringify(plan);
    expect(text).toContain("Index Scan Backward using messages_thread_idx");
    expect(text).not.toMatch(/Sort/);
  });
});
