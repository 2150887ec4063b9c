import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, test } from "vitest";
import { receiveInbound } from "~/.server/conversations/inbound";
import { countViews, listInbox } from "~/.server/conversations/inbox";
import { db } from "~/.server/platform/db/client";
import { conversationEvents, conversations, users } from "~/.server/platform/db/schema";
import { MATCH_END, MATCH_START, parseInboxQuery, VIEW_COUNT_CAP, VIEWS, type View } from "~/lib/inbox";
import * as root from "~/root";
import * as inbox from "~/routes/messages";
import * as thread from "~/routes/messages.$conversationId";
import { bulkSeedStatements } from "../support/bulk-seed";
import {
  createConversation,
  createMessage,
  createUser,
  freshPhone,
  type Conversation,
  type TestUser,
} from "../support/factories";
import { callAction, callLoader, variant } from "../support/route-call";

const openThread = (user: TestUser, conversationId: string) =>
  callLoader(thread.loader, { url: `/messages/${conversationId}`, cookie: user.cookie, params: { conversationId } });

const post = (user: TestUser, conversationId: string, form: Record<string, string>) =>
  callAction(thread.action, {
    url: `/messages/${conversationId}`,
    cookie: user.cookie,
    params: { conversationId },
    form,
  });

const openInbox = async (user: TestUser, query = "") =>
  variant((await callLoader(inbox.loader, { url: `/messages${query}`, cookie: user.cookie })).data, "team", true);

const idsIn = async (user: TestUser, query = "") => (await openInbox(user, query)).conversations.map((c) => c.id);

const stored = async (id: string) => (await db.select().from(conversations).where(eq(conversations.id, id)))[0]!;

async function reply(user: TestUser, conversation: Conversation, body = "On it") {
  const { data } = await openThread(user, conversation.id);
  return post(user, conversation.id, { intent: "send", body, idempotencyKey: data.idempotencyKey });
}

describe("assignment", () => {
  test("an agent assigns a conversation to a colleague, then to nobody; the thread and the list say so", async () => {
    const agent = await createUser({ role: "agent", name: "Ann Agent" });
    const colleague = await createUser({ role: "admin", name: "Bob Admin" });
    const conversation = await createConversation();

    expect(await post(agent, conversation.id, { intent: "assign", assigneeId: colleague.id })).toHaveRedirect(
      `/messages/${conversation.id}`,
    );
    expect((await stored(conversation.id)).assigneeId).toBe(colleague.id);
    expect((await openThread(agent, conversation.id)).data.handling?.assigneeId).toBe(colleague.id);
    const row = (await openInbox(agent)).conversations.find((c) => c.id === conversation.id);
    expect(row?.handling?.assignee).toEqual({ id: colleague.id, name: "Bob Admin" });

    await post(agent, conversation.id, { intent: "assign", assigneeId: "" });
    expect((await stored(conversation.id)).assigneeId).toBeNull();
  });

  test("only agents and admins can be assignees; a member or a made-up id is refused and changes nothing", async () => {
    const agent = await createUser({ role: "agent" });
    const member = await createUser();
    const conversation = await createConversation();
    await post(agent, conversation.id, { intent: "assign", assigneeId: agent.id });
    for (const assigneeId of [member.id, randomUUID()]) {
      expect(await post(agent, conversation.id, { intent: "assign", assigneeId })).toHaveStatus(400);
      expect((await stored(conversation.id)).assigneeId).toBe(agent.id);
    }
  });

  test("a member cannot assign, resolve or reopen, even their own conversation: 404", async () => {
    const phone = freshPhone();
    const member = await createUser({ phone });
    const conversation = await createConversation({ contact: phone, userId: member.id });
    const forms: Record<string, string>[] = [
      { intent: "assign", assigneeId: member.id },
      { intent: "resolve" },
      { intent: "reopen" },
    ];
    for (const form of forms) {
      expect(await post(member, conversation.id, form)).toHaveStatus(404);
    }
    expect(await stored(conversation.id)).toMatchObject({ assigneeId: null, resolvedAt: null });
  });

  test("an agent's reply takes an unassigned conversation; an assigned one keeps its assignee; a member's reply assigns nobody", async () => {
    const first = await createUser({ role: "agent" });
    const second = await createUser({ role: "agent" });
    const conversation = await createConversation();
    expect(await reply(first, conversation)).toHaveStatus(302);
    expect((await stored(conversation.id)).assigneeId).toBe(first.id);
    await reply(second, conversation);
    expect((await stored(conversation.id)).assigneeId).toBe(first.id);

    const phone = freshPhone();
    const member = await createUser({ phone });
    const own = await createConversation({ contact: phone, userId: member.id });
    await reply(member, own);
    expect((await stored(own.id)).assigneeId).toBeNull();
  });
});

describe("open and resolved", () => {
  test("resolving moves a conversation from the open list to ?status=resolved; reopening brings it back", async () => {
    const agent = await createUser({ role: "agent" });
    const conversation = await createConversation();
    await createMessage(conversation);
    expect(await post(agent, conversation.id, { intent: "resolve" })).toHaveStatus(302);
    expect(await idsIn(agent)).not.toContain(conversation.id);
    expect(await idsIn(agent, "?status=resolved")).toContain(conversation.id);
    expect((await openThread(agent, conversation.id)).data.handling?.resolved).toBe(true);

    await post(agent, conversation.id, { intent: "reopen" });
    expect(await idsIn(agent)).toContain(conversation.id);
    expect(await idsIn(agent, "?status=resolved")).not.toContain(conversation.id);
  });

  test("each change of handling is recorded once, with who made it; repeating a change records nothing", async () => {
    const [agent, colleague] = [await createUser({ role: "agent" }), await createUser({ role: "agent" })];
    const conversation = await createConversation();
    const forms: Record<string, string>[] = [
      { intent: "assign", assigneeId: colleague.id },
      { intent: "assign", assigneeId: colleague.id },
      { intent: "resolve" },
      { intent: "resolve" },
      { intent: "reopen" },
      { intent: "assign", assigneeId: "" },
    ];
    for (const form of forms) expect(await post(agent, conversation.id, form)).toHaveStatus(302);
    const events = await db
      .select({
        kind: conversationEvents.kind,
        actor: conversationEvents.actorUserId,
        assignee: conversationEvents.assigneeId,
      })
      .from(conversationEvents)
      .where(eq(conversationEvents.conversationId, conversation.id))
      .orderBy(conversationEvents.createdAt);
    expect(events).toEqual([
      { kind: "assigned", actor: agent.id, assignee: colleague.id },
      { kind: "resolved", actor: agent.id, assignee: null },
      { kind: "reopened", actor: agent.id, assignee: null },
      { kind: "unassigned", actor: agent.id, assignee: null },
    ]);
  });

  test("a new SMS from the contact reopens a resolved conversation by itself", async () => {
    const agent = await createUser({ role: "agent" });
    const contact = freshPhone();
    const first = await receiveInbound({ from: contact, to: "+447700900000", body: "Help" });
    const { conversationId } = variant(first, "status", "stored");
    await post(agent, conversationId, { intent: "resolve" });
    expect((await stored(conversationId)).resolvedAt).not.toBeNull();

    await receiveInbound({ from: contact, to: "+447700900000", body: "Still broken" });
    expect((await stored(conversationId)).resolvedAt).toBeNull();
    expect(await idsIn(agent)).toContain(conversationId);
  });
});

describe("views", () => {
  // A word only this describe's messages carry: searching for it scopes the counts to these conversations.
  const word = `viewtest${randomUUID().slice(0, 8)}`;
  let agent: TestUser;
  let fixture: Record<"mineUnread" | "unassignedClaimed" | "unclaimedOptedOut" | "resolved" | "othersUnread", string>;

  beforeAll(async () => {
    agent = await createUser({ role: "agent" });
    const other = await createUser({ role: "agent" });
    const phone = freshPhone();
    const member = await createUser({ phone, name: "Mia Member" });
    const make = async (options: Parameters<typeof createConversation>[0], assigneeId: string | null) => {
      const conversation = await createConversation(options);
      await db.update(conversations).set({ assigneeId }).where(eq(conversations.id, conversation.id));
      await createMessage(conversation, { body: `about ${word}` });
      return conversation;
    };
    const mineUnread = await make({}, agent.id);
    const unassignedClaimed = await make({ contact: phone, userId: member.id }, null);
    const unclaimedOptedOut = await make({ optedOut: true }, null);
    const resolved = await make({}, agent.id);
    const othersUnread = await make({}, other.id);
    await post(agent, resolved.id, { intent: "resolve" });
    // Read: opening the thread marks everything so far as read.
    await openThread(agent, unassignedClaimed.id);
    await openThread(agent, unclaimedOptedOut.id);
    fixture = {
      mineUnread: mineUnread.id,
      unassignedClaimed: unassignedClaimed.id,
      unclaimedOptedOut: unclaimedOptedOut.id,
      resolved: resolved.id,
      othersUnread: othersUnread.id,
    };
  });

  const expected: Record<View, (keyof typeof fixture)[]> = {
    all: ["mineUnread", "unassignedClaimed", "unclaimedOptedOut", "othersUnread"],
    mine: ["mineUnread"],
    unassigned: ["unassignedClaimed", "unclaimedOptedOut"],
    unclaimed: ["mineUnread", "unclaimedOptedOut", "othersUnread"],
    unread: ["mineUnread", "othersUnread"],
    "opted-out": ["unclaimedOptedOut"],
  };

  test.each(VIEWS)("?view=%s lists exactly its open conversations, and its count says how many", async (view) => {
    const page = await openInbox(agent, `?view=${view}&q=${word}`);
    const ids = page.conversations.map((c) => c.id);
    expect(new Set(ids)).toEqual(new Set(expected[view].map((name) => fixture[name])));
    expect(page.counts).toEqual(Object.fromEntries(VIEWS.map((v) => [v, expected[v].length])));
    // Without the search, the same view holds the same of these (and maybe other tests' conversations).
    const unscoped = await idsIn(agent, `?view=${view}`);
    expect(
      Object.values(fixture)
        .filter((id) => unscoped.includes(id))
        .sort(),
    ).toEqual(expected[view].map((name) => fixture[name]).sort());
  });

  test("resolved ones have views of their own", async () => {
    const page = await openInbox(agent, `?status=resolved&view=mine&q=${word}`);
    expect(page.conversations.map((c) => c.id)).toEqual([fixture.resolved]);
    expect(page.counts).toMatchObject({ all: 1, mine: 1, unassigned: 0, unread: 1 });
  });

  test("an unknown view or status falls back to the default", async () => {
    const page = await openInbox(agent, `?view=everything&status=archived&q=${word}`);
    expect(page.query).toMatchObject({ view: "all", status: "open" });
    expect(page.conversations).toHaveLength(expected.all.length);
  });
});

describe("who wrote it", () => {
  test("the member sees 'Support' for an agent's reply, the admin sees the agent's name, the agent sees 'You'", async () => {
    const agent = await createUser({ role: "agent", name: "Ann Agent" });
    const admin = await createUser({ role: "admin" });
    const phone = freshPhone();
    const member = await createUser({ phone });
    const conversation = await createConversation({ contact: phone, userId: member.id });
    await createMessage(conversation, { body: "Hi, my order?" });
    await reply(agent, conversation, "Shipped today");
    await reply(member, conversation, "Thanks");

    const authors = async (viewer: TestUser) =>
      (await openThread(viewer, conversation.id)).data.timeline
        // Messages only: the team's thread also has system lines ("Ann Agent assigned this to themselves").
        .filter((item) => item.type === "message")
        .map((m) => [m.body, m.authorLabel]);
    expect(await authors(member)).toEqual([
      ["Hi, my order?", null],
      ["Shipped today", "Support"],
      ["Thanks", "You"],
    ]);
    expect(await authors(admin)).toEqual([
      ["Hi, my order?", null],
      ["Shipped today", "Ann Agent"],
      ["Thanks", member.email],
    ]);
    expect((await authors(agent))[1]).toEqual(["Shipped today", "You"]);
    // The member's page carries no agent name anywhere.
    expect(JSON.stringify((await openThread(member, conversation.id)).data)).not.toContain("Ann Agent");
  });

  test("the app's own SMS say so", async () => {
    const admin = await createUser({ role: "admin" });
    const conversation = await createConversation();
    await createMessage(conversation, { direction: "outbound", author: "verification-code", body: "Your code" });
    await createMessage(conversation, { direction: "outbound", author: "system", body: "Welcome" });
    const labels = (await openThread(admin, conversation.id)).data.timeline
      .filter((item) => item.type === "message")
      .map((m) => m.authorLabel);
    expect(labels).toEqual(["Verification code", "Auto-reply"]);
  });
});

describe("unread in the nav", () => {
  const unreadOf = async (user: TestUser) =>
    (await callLoader(root.loader, { url: "/messages", cookie: user.cookie })).data.unread;

  test("an agent's count goes up when an SMS arrives and down when the conversation is read", async () => {
    const agent = await createUser({ role: "agent" });
    const before = await unreadOf(agent);
    const received = variant(
      await receiveInbound({ from: freshPhone(), to: "+447700900000", body: "Hello?" }),
      "status",
      "stored",
    );
    expect(await unreadOf(agent)).toBe(before + 1);
    await openThread(agent, received.conversationId);
    expect(await unreadOf(agent)).toBe(before);
  });

  test("a member counts what the team sent them, not what they sent themselves", async () => {
    const agent = await createUser({ role: "agent" });
    const phone = freshPhone();
    const member = await createUser({ phone });
    const conversation = await createConversation({ contact: phone, userId: member.id });
    await receiveInbound({ from: phone, to: "+447700900000", body: "From my phone" });
    expect(await unreadOf(member)).toBe(0);
    await reply(agent, conversation, "Answer");
    expect(await unreadOf(member)).toBe(1);
    await openThread(member, conversation.id);
    expect(await unreadOf(member)).toBe(0);
  });
});

describe("search", () => {
  const needle = "zanzibar";
  let agent: TestUser;
  let target: Conversation;

  beforeAll(async () => {
    agent = await createUser({ role: "agent" });
    // 10,000 conversations and 30,000 messages, one of which mentions the needle.
    for (const statement of bulkSeedStatements({ conversations: 10_000, messagesEach: 3, prefix: "3197" }))
      await db.execute(sql.raw(statement));
    target = await createConversation();
    await createMessage(target, { body: `The parcel to <b>${needle}</b> & back is late` });
    await db.execute(sql`analyze messages`);
  }, 120_000);

  test("a word from a message body finds its conversation among 10,000, with the words around it highlighted", async () => {
    const page = await openInbox(agent, `?q=${needle}`);
    expect(page.conversations.map((c) => c.id)).toEqual([target.id]);
    expect(page.counts.all).toBe(1);
    const snippet = page.conversations[0]!.snippet!;
    // Text parts, never markup: the match is a part of its own, React renders every part as text, and
    // no highlight marker survives into the text. (The parser reads the body's "<b>" as a tag and leaves it out.)
    expect(snippet.filter((part) => part.match).map((part) => part.text)).toEqual([needle]);
    const text = snippet.map((part) => part.text).join("");
    expect(text).toMatch(/parcel to\s+zanzibar\s+& back is late/);
    expect([...text].filter((char) => char === MATCH_START || char === MATCH_END)).toEqual([]);
  });

  test("a number in any common format finds its conversation; so do the member's name and email", async () => {
    const phone = "+31612345678";
    const member = await createUser({ phone, name: "Quentin Quirk", email: `quentin-${randomUUID()}@example.com` });
    const conversation = await createConversation({ contact: phone, userId: member.id });
    for (const q of [
      "06 12345678",
      "+31 6 1234 5678",
      "0031612345678",
      "(06) 123-456-78",
      "12345678",
      "Quirk",
      "quentin-",
    ])
      expect(await idsIn(agent, `?${new URLSearchParams({ q })}`), q).toContain(conversation.id);
  });

  test("conversations rank by their best match, and keyset pages walk them without gaps or repeats", async () => {
    const ranked = await listInbox(await viewer(agent), parseInboxQuery(new URLSearchParams({ q: "refund" })), 7);
    const seen = ranked.conversations.map((c) => c.id);
    let next = ranked.next;
    for (let pages = 0; next && pages < 3; pages++) {
      const page = await listInbox(
        await viewer(agent),
        parseInboxQuery(new URLSearchParams({ q: "refund", after: next })),
        7,
      );
      seen.push(...page.conversations.map((c) => c.id));
      next = page.next;
    }
    expect(seen).toHaveLength(28);
    expect(new Set(seen).size).toBe(28);
    // The same rows as one big page, in the same order.
    const whole = await listInbox(await viewer(agent), parseInboxQuery(new URLSearchParams({ q: "refund" })), 28);
    expect(whole.conversations.map((c) => c.id)).toEqual(seen);

    // Thousands match; the count says "1000+" rather than walking them all.
    const counts = await countViews(await viewer(agent), { status: "open", number: null, q: "refund" });
    expect(counts.all).toBe(VIEW_COUNT_CAP);
  });

  async function viewer(user: TestUser) {
    const [row] = await db
      .select({ id: users.id, role: users.role, phoneNumber: users.phoneNumber })
      .from(users)
      .where(eq(users.id, user.id));
    return row!;
  }
});
