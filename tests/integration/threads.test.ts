import { eq, sql } from "drizzle-orm";
import { describe, expect, test, vi } from "vitest";
import { db } from "~/.server/platform/db/client";
import { messages, users } from "~/.server/platform/db/schema";
import { PAGE_SIZE, threadPage } from "~/.server/conversations/threads";
import { REPLIES_PER_SENDER_PER_HOUR, REPLIES_PER_SENDER_PER_MINUTE } from "~/.server/conversations/reply-limits";
import { checkLimit, hitLimit } from "~/.server/platform/rate-limit";
import * as thread from "~/routes/messages.$conversationId";
import * as inbox from "~/routes/messages";
import * as inboxIndex from "~/routes/messages._index";
import { applyDeliveryReport } from "~/.server/conversations/delivery-status";
import { attemptSend } from "~/.server/conversations/outbox";
import { runDueJobs } from "~/.server/background";
import { accepted, acceptedAnswerLost, refusals, useMessageBirdMock } from "../mocks/messagebird";
import {
  createConversation,
  createMessage,
  createMessages,
  createUser,
  freshPhone,
  type Conversation,
} from "../support/factories";
import { callAction, callLoader, formErrors, typedValues, variant } from "../support/route-call";

// This file sends through MessageBird's REST API (intercepted by MSW), not the simulator.
vi.hoisted(() => {
  process.env.MESSAGEBIRD_API_KEY = "test_access_key";
});

const messagebird = useMessageBirdMock();

async function memberWithConversation({ optedOut = false } = {}) {
  const phone = freshPhone();
  const member = await createUser({ phone });
  const conversation = await createConversation({ contact: phone, userId: member.id, optedOut });
  return { member, conversation, phone };
}

const openThread = (cookie: string, conversationId: string, query = "") =>
  callLoader(thread.loader, { url: `/messages/${conversationId}${query}`, cookie, params: { conversationId } });

const post = (cookie: string, conversationId: string, form: Record<string, string>) =>
  callAction(thread.action, { url: `/messages/${conversationId}`, cookie, params: { conversationId }, form });

const openInbox = (cookie: string, query = "") => callLoader(inbox.loader, { url: `/messages${query}`, cookie });
const openInboxIndex = (cookie: string) => callLoader(inboxIndex.loader, { url: "/messages", cookie });

const rowsOf = (conversation: Conversation) =>
  db.select().from(messages).where(eq(messages.conversationId, conversation.id));
const current = async (id: string) => (await db.select().from(messages).where(eq(messages.id, id)))[0]!;

describe("replying", () => {
  test("a reply is stored queued, then the outbox sends it through MessageBird from our number and marks it sent", async () => {
    const { member, conversation, phone } = await memberWithConversation();
    const page = await openThread(member.cookie, conversation.id);
    const outcome = await post(member.cookie, conversation.id, {
      intent: "send",
      body: "Hi there",
      idempotencyKey: page.data.idempotencyKey,
    });
    expect(outcome).toHaveRedirect(`/messages/${conversation.id}`);
    const [queued] = await rowsOf(conversation);
    expect(queued).toMatchObject({ direction: "outbound", status: "queued", body: "Hi there" });
    expect(messagebird.sent).toHaveLength(0);

    await runDueJobs();
    const stored = await current(queued!.id);
    expect(stored).toMatchObject({ status: "sent", toNumber: phone, fromNumber: "+447700900000", attempts: 1 });
    expect(messagebird.sent).toHaveLength(1);
    expect(messagebird.sent[0]!.body).toMatchObject({
      originator: "+447700900000",
      recipients: [phone],
      body: "Hi there",
      reference: stored.id,
      reportUrl: "http://localhost:3000/webhooks/messagebird/status?secret=test-webhook-secret-0123456789",
    });
    expect(stored.providerMessageId).toMatch(/^mb-/);
  });

  test("a permanent refusal fails at once with the reason; Retry sends the same row again", async () => {
    const { member, conversation } = await memberWithConversation();
    messagebird.answerNextSend(refusals.badRecipient);
    const { data } = await openThread(member.cookie, conversation.id);
    await post(member.cookie, conversation.id, {
      intent: "send",
      body: "Are you there?",
      idempotencyKey: data.idempotencyKey,
    });
    await runDueJobs();
    const [failed] = await rowsOf(conversation);
    expect(failed).toMatchObject({ status: "failed", errorCode: "9", attempts: 1, nextAttemptAt: null });
    expect(failed!.errorMessage).toMatch(/cannot receive SMS/);

    const page = await openThread(member.cookie, conversation.id);
    expect(page.data.timeline.at(-1)).toMatchObject({
      id: failed!.id,
      status: "failed",
      errorMessage: failed!.errorMessage,
    });

    const retried = await post(member.cookie, conversation.id, { intent: "send-now", messageId: failed!.id });
    expect(retried).toHaveRedirect(`/messages/${conversation.id}`);
    await runDueJobs();
    const rows = await rowsOf(conversation);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: failed!.id, status: "sent", errorMessage: null });
    expect(messagebird.sent.at(-1)!.body.reference).toBe(failed!.id);
  });

  test("a send whose answer was lost waits, and the next attempt finds it at MessageBird instead of sending again", async () => {
    const { member, conversation } = await memberWithConversation();
    messagebird.answerNextSend(acceptedAnswerLost);
    const { data } = await openThread(member.cookie, conversation.id);
    await post(member.cookie, conversation.id, {
      intent: "send",
      body: "Did this go?",
      idempotencyKey: data.idempotencyKey,
    });
    await runDueJobs();
    const [waiting] = await rowsOf(conversation);
    expect(waiting).toMatchObject({ status: "queued", providerMessageId: null, outcomeUnknown: true });
    expect(waiting!.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now());
    const page = await openThread(member.cookie, conversation.id);
    expect(page.data.timeline.at(-1)).toMatchObject({ status: "queued", nextAttemptAt: waiting!.nextAttemptAt });

    expect(await post(member.cookie, conversation.id, { intent: "send-now", messageId: waiting!.id })).toHaveStatus(
      302,
    );
    await runDueJobs();
    expect(await current(waiting!.id)).toMatchObject({
      status: "sent",
      providerMessageId: messagebird.stored[0]!.id,
      outcomeUnknown: false,
      nextAttemptAt: null,
    });
    expect(messagebird.sent).toHaveLength(1);
  });

  test("a delivery report that overtakes MessageBird's answer to the send is not undone by it", async () => {
    const { member, conversation } = await memberWithConversation();
    // The handset confirms delivery before MessageBird's 201 reaches us: the report finds the row by its reference.
    messagebird.answerNextSend(async (sms, keep) => {
      await applyDeliveryReport({
        reference: String(sms.reference),
        providerMessageId: "mb-fast",
        status: "delivered",
      });
      return accepted({ id: "mb-fast" })(sms, keep);
    });
    const { data } = await openThread(member.cookie, conversation.id);
    await post(member.cookie, conversation.id, {
      intent: "send",
      body: "Quick one",
      idempotencyKey: data.idempotencyKey,
    });
    await runDueJobs();
    const [stored] = await rowsOf(conversation);
    expect(stored).toMatchObject({ status: "delivered", providerMessageId: "mb-fast" });
  });

  test("a reply MessageBird keeps refusing for a whole retry window fails with the reason; a late report still counts", async () => {
    const { member, conversation } = await memberWithConversation();
    messagebird.answerNextSend(refusals.internalError, refusals.internalError);
    const { data } = await openThread(member.cookie, conversation.id);
    await post(member.cookie, conversation.id, {
      intent: "send",
      body: "Anyone?",
      idempotencyKey: data.idempotencyKey,
    });
    await runDueJobs();
    const [waiting] = await rowsOf(conversation);
    expect(waiting).toMatchObject({ status: "queued", errorMessage: "MessageBird is having trouble." });

    // A day later (the default window), still failing: it gives up and says why.
    await attemptSend(waiting!.id, new Date(Date.now() + 86_400_000));
    const failed = await current(waiting!.id);
    expect(failed).toMatchObject({ status: "failed", nextAttemptAt: null });
    expect(failed.errorMessage).toBe("Not sent: tried for 24 hours. MessageBird is having trouble.");

    await applyDeliveryReport({ reference: waiting!.id, providerMessageId: "mb-later", status: "delivered" });
    expect(await current(waiting!.id)).toMatchObject({
      status: "delivered",
      providerMessageId: "mb-later",
      errorMessage: null,
    });
  });

  test("a double submit with one idempotency key stores one message and calls MessageBird once", async () => {
    const { member, conversation } = await memberWithConversation();
    const { data } = await openThread(member.cookie, conversation.id);
    const form = { intent: "send", body: "Only once please", idempotencyKey: data.idempotencyKey };
    const outcomes = await Promise.all([
      post(member.cookie, conversation.id, form),
      post(member.cookie, conversation.id, form),
    ]);
    await post(member.cookie, conversation.id, form); // and a resubmitted POST later
    await runDueJobs();
    expect(outcomes.map((o) => o.status)).toEqual([302, 302]);
    expect(await rowsOf(conversation)).toHaveLength(1);
    expect(messagebird.sent).toHaveLength(1);
  });

  test("a form's idempotency key sent again to another conversation is refused with a reason, and spends no reply", async () => {
    const agent = await createUser({ role: "agent" });
    const [first, second] = [await createConversation(), await createConversation()];
    const { data } = await openThread(agent.cookie, first.id);
    const form = { intent: "send", body: "Hello", idempotencyKey: data.idempotencyKey };
    expect(await post(agent.cookie, first.id, form)).toHaveRedirect(`/messages/${first.id}`);
    const spent = (await checkLimit(REPLIES_PER_SENDER_PER_MINUTE, agent.id)).count;

    const outcome = await post(agent.cookie, second.id, { ...form, body: "Hello again" });
    expect(outcome).toHaveStatus(400);
    expect(formErrors(outcome)).toEqual([expect.stringMatching(/reload/i)]);
    expect(typedValues(outcome)).toMatchObject({ body: "Hello again" });
    expect(await rowsOf(second)).toEqual([]);
    await runDueJobs();
    expect(messagebird.sent).toHaveLength(1);
    expect((await checkLimit(REPLIES_PER_SENDER_PER_MINUTE, agent.id)).count).toBe(spent);
  });

  test("a sender's 301st reply within an hour is refused, though each went to its own conversation at a calm pace", async () => {
    const agent = await createUser({ role: "agent" });
    // 299 replies this hour, spread out: no minute or conversation limit is near.
    await Promise.all(Array.from({ length: 299 }, () => hitLimit(REPLIES_PER_SENDER_PER_HOUR, agent.id)));
    const reply = async () => {
      const conversation = await createConversation();
      const { data } = await openThread(agent.cookie, conversation.id);
      return post(agent.cookie, conversation.id, { intent: "send", body: "Hi", idempotencyKey: data.idempotencyKey });
    };
    expect(await reply()).toHaveStatus(302);
    const refused = await reply();
    expect(refused).toHaveStatus(429);
    // The hour's limit, not the minute's: the wait is most of an hour.
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(55 * 60);
    await runDueJobs();
    expect(messagebird.sent).toHaveLength(1);
  });

  test("an opted-out conversation refuses replies on the server too", async () => {
    const { member, conversation } = await memberWithConversation({ optedOut: true });
    const page = await openThread(member.cookie, conversation.id);
    expect(page.data.conversation.optedOut).toBe(true);
    const outcome = await post(member.cookie, conversation.id, {
      intent: "send",
      body: "Hello?",
      idempotencyKey: page.data.idempotencyKey,
    });
    expect(outcome).toHaveStatus(409);
    expect(formErrors(outcome)[0]).toMatch(/opted out/);
    expect(await rowsOf(conversation)).toHaveLength(0);
    expect(messagebird.sent).toHaveLength(0);
  });

  test("an opted-out conversation's failed reply cannot be retried either", async () => {
    // Failed before the contact texted STOP: Retry must not send it after.
    const { member, conversation } = await memberWithConversation({ optedOut: true });
    const failed = await createMessage(conversation, {
      direction: "outbound",
      body: "Sorry, one more thing",
      status: "failed",
      authorUserId: member.id,
    });
    const outcome = await post(member.cookie, conversation.id, { intent: "send-now", messageId: failed.id });
    expect(outcome).toHaveStatus(409);
    expect(formErrors(outcome)).toEqual([expect.stringMatching(/opted out by texting STOP/)]);
    expect(await current(failed.id)).toMatchObject({ status: "failed" });
    expect(messagebird.sent).toHaveLength(0);
  });

  test("an empty or over-long reply gets a field error and keeps the typed text", async () => {
    const { member, conversation } = await memberWithConversation();
    const { data } = await openThread(member.cookie, conversation.id);
    const long = "x".repeat(1531);
    const outcome = await post(member.cookie, conversation.id, {
      intent: "send",
      body: long,
      idempotencyKey: data.idempotencyKey,
    });
    expect(outcome).toHaveStatus(400);
    expect(formErrors(outcome, "body")[0]).toMatch(/more than 10 SMS/);
    expect(typedValues(outcome).body).toBe(long);
    const empty = await post(member.cookie, conversation.id, {
      intent: "send",
      body: "   ",
      idempotencyKey: data.idempotencyKey,
    });
    expect(formErrors(empty, "body")).toEqual(["Type a message first."]);
  });
});

describe("visibility", () => {
  test("member A can neither read nor post to member B's conversation: 404 both ways", async () => {
    const a = await memberWithConversation();
    const b = await memberWithConversation();
    expect(await openThread(a.member.cookie, b.conversation.id)).toHaveStatus(404);
    const { data } = await openThread(a.member.cookie, a.conversation.id);
    const outcome = await post(a.member.cookie, b.conversation.id, {
      intent: "send",
      body: "sneaky",
      idempotencyKey: data.idempotencyKey,
    });
    expect(outcome).toHaveStatus(404);
    expect(messagebird.sent).toHaveLength(0);
    expect(await openThread(a.member.cookie, "not-a-uuid")).toHaveStatus(404);
  });

  test("who handles a member's conversation, and whether it is resolved, stay the team's: not in the member's page data", async () => {
    const { member, conversation, phone } = await memberWithConversation();
    const agent = await createUser({ role: "agent", name: "Agent Anouk" });
    await post(agent.cookie, conversation.id, { intent: "assign", assigneeId: agent.id });
    await post(agent.cookie, conversation.id, { intent: "resolve" });
    // A second number of ours texted makes the member's /messages a list.
    await createConversation({ contact: phone, userId: member.id, ourNumber: "+3197010203041" });
    const list = await openInboxIndex(member.cookie);
    expect(variant(list.data, "view", "list").conversations).toHaveLength(2);
    expect(JSON.stringify(list.data)).not.toMatch(new RegExp(`${agent.id}|Agent Anouk|assignee|resolved|claimed`, "i"));

    const asMember = await openThread(member.cookie, conversation.id);
    expect(asMember).toHaveStatus(200);
    expect(asMember.data.handling).toBeNull();
    expect(JSON.stringify(asMember.data)).not.toMatch(new RegExp(`${agent.id}|assignee|resolved|claimed`, "i"));
    // The team's page does carry them: the test would notice a leak.
    expect((await openThread(agent.cookie, conversation.id)).data.handling).toMatchObject({
      assigneeId: agent.id,
      resolved: true,
    });
  });

  test("a conversation still pointing at a member who no longer holds its number is a 404 for them", async () => {
    const { member, conversation } = await memberWithConversation();
    // As if an SMS had raced the removal and written the old owner back.
    await db.update(users).set({ phoneNumber: null, phoneVerifiedAt: null }).where(eq(users.id, member.id));
    expect(conversation.userId).toBe(member.id);
    expect(await openThread(member.cookie, conversation.id)).toHaveStatus(404);
  });

  test("an agent sees every conversation, unclaimed ones included, with unread counts until opened", async () => {
    const { conversation } = await memberWithConversation();
    const unclaimed = await createConversation({ contact: "+31699990000" });
    await createMessage(unclaimed, { body: "Anyone?" });
    const agent = await createUser({ role: "agent" });
    const list = variant((await openInbox(agent.cookie)).data, "team", true);
    const row = list.conversations.find((c) => c.id === unclaimed.id);
    expect(row).toMatchObject({
      handling: { claimed: false },
      unread: 1,
      lastMessage: { body: "Anyone?", direction: "inbound" },
    });
    expect(list.conversations.some((c) => c.id === conversation.id)).toBe(true);

    await openThread(agent.cookie, unclaimed.id);
    const again = variant((await openInbox(agent.cookie, "?q=9999")).data, "team", true);
    expect(again.conversations).toHaveLength(1);
    expect(again.conversations[0]).toMatchObject({ id: unclaimed.id, unread: 0 });
  });

  test("a member's /messages goes straight to their conversation", async () => {
    const { member, conversation } = await memberWithConversation();
    expect(await openInboxIndex(member.cookie)).toHaveRedirect(`/messages/${conversation.id}`);
  });
});

describe("pagination", () => {
  async function seed(conversation: Conversation, count: number, sameInstant = false) {
    const start = Date.parse("2026-01-01T00:00:00Z");
    await createMessages(
      conversation,
      Array.from({ length: count }, (_, i) => ({
        body: `message ${i + 1}`,
        // Several messages in one millisecond must still page without gaps or repeats.
        createdAt: new Date(sameInstant ? start + Math.floor(i / 7) : start + i * 1000),
      })),
    );
  }

  const sameInstant = (count: number) => count > PAGE_SIZE + 1;
  const bodies = (page: Awaited<ReturnType<typeof openThread>>) =>
    page.data.timeline.flatMap((item) => (item.type === "message" ? [item.body] : []));

  test.each([
    [PAGE_SIZE, 1],
    [PAGE_SIZE + 1, 2],
    [2 * PAGE_SIZE + 1, 3],
  ])(
    "%i messages make %i page(s), newest first, each oldest-to-newest, nothing lost or repeated",
    async (count, pages) => {
      const { member, conversation } = await memberWithConversation();
      await seed(conversation, count, sameInstant(count));
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
    },
  );

  test("a forged cursor shows the newest page rather than failing", async () => {
    const { member, conversation } = await memberWithConversation();
    await seed(conversation, 3);
    const page = await openThread(member.cookie, conversation.id, "?before=garbage");
    expect(bodies(page)).toEqual(["message 1", "message 2", "message 3"]);
  });

  test("the queries the thread page sends walk the (conversationId, createdAt, id) index backwards, without a sort", async () => {
    const { conversation } = await memberWithConversation();
    await seed(conversation, 200);
    // Other conversations' messages, interleaved in time, as a real inbox has them: a thread is a small part
    // of the table, so walking every message by time (messages_created_at_idx) is the wrong way to find it.
    const others = await Promise.all(Array.from({ length: 20 }, () => createConversation()));
    for (const other of others) await seed(other, 200);
    await db.execute(sql`analyze messages`);
    // Every statement goes through the session's prepareQuery: keep what threadPage sends, newest page and an older one.
    const prepare = vi.spyOn(db._.session, "prepareQuery");
    const { older } = await threadPage(conversation.id);
    await threadPage(conversation.id, older);
    const sent = prepare.mock.calls.map(([query]) => query);
    prepare.mockRestore();
    expect(sent).toHaveLength(2);

    for (const query of sent) {
      const plan = await db.transaction(async (tx) => {
        // Tiny test tables favour a sequential scan; what matters is that the index serves the order.
        await tx.execute(sql`set local enable_seqscan = off`);
        return tx._.session
          .prepareQuery({ sql: `explain ${query.sql}`, params: query.params }, undefined, undefined, false)
          .execute();
      });
      const text = JSON.stringify(plan);
      expect(text, query.sql).toContain("Index Scan Backward using messages_thread_idx");
      expect(text, query.sql).not.toMatch(/Sort/);
    }
  });
});
