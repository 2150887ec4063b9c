import { and, eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { db } from "~/.server/platform/db/client";
import { conversationEvents, conversations, labels, numbers } from "~/.server/platform/db/schema";
import { defaultSender } from "~/.server/sms/numbers";
import { builtAppWithApi, expectProblem, tokenFor } from "../support/api";
import { createConversation, createMessage, createUser } from "../support/factories";

// Reading and handling conversations through the API, against the built server.

const { api } = builtAppWithApi();

let numberSequence = 0;
async function ourNewNumber() {
  const [row] = await db
    .insert(numbers)
    .values({ number: `+4477009${String(10_000 + ++numberSequence)}`, label: `Line ${numberSequence}` })
    .returning();
  return row!;
}

type Page = { data: { id: string }[]; next: string | null };

describe("GET /api/v1/conversations", () => {
  test("cursor paging returns every conversation once, across pages of 50", async () => {
    const agent = await createUser({ role: "agent" });
    const token = await tokenFor(agent);
    const line = await ourNewNumber();
    const made = [];
    for (let i = 0; i < 120; i++) made.push((await createConversation({ ourNumber: line.number })).id);
    await createConversation();

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = new URLSearchParams({ number: line.id, ...(cursor && { cursor }) }).toString();
      const page = (await api("GET", `/api/v1/conversations?${query}`, { token })).json as unknown as Page;
      seen.push(...page.data.map((conversation) => conversation.id));
      cursor = page.next;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(120);
    expect(new Set(seen)).toEqual(new Set(made));
  });

  test("the inbox's filters: status, label, search", async () => {
    const agent = await createUser({ role: "agent" });
    const token = await tokenFor(agent);
    const line = await ourNewNumber();
    const [vip] = await db
      .insert(labels)
      .values({ name: `VIP ${line.id}`, colour: "purple" })
      .returning();
    const open = await createConversation({ ourNumber: line.number });
    const resolved = await createConversation({ ourNumber: line.number });
    await createMessage(open, { body: "Where is parcel 7731?" });
    await db.update(conversations).set({ resolvedAt: new Date() }).where(eq(conversations.id, resolved.id));

    const list = async (filters: Record<string, string>) =>
      (
        (await api("GET", `/api/v1/conversations?${new URLSearchParams({ number: line.id, ...filters })}`, { token }))
          .json as unknown as Page
      ).data.map((conversation) => conversation.id);
    expect(await list({})).toEqual([open.id]);
    expect(await list({ status: "resolved" })).toEqual([resolved.id]);
    expect(await list({ q: "7731" })).toEqual([open.id]);

    const patched = await api("PATCH", `/api/v1/conversations/${resolved.id}`, { token, body: { labels: [vip!.id] } });
    expect(patched.json).toMatchObject({ handling: { labels: [{ id: vip!.id, colour: "purple" }] } });
    expect(await list({ status: "resolved", label: vip!.id })).toEqual([resolved.id]);
    expect(await list({ label: vip!.id })).toEqual([]);
  });
});

describe("PATCH /api/v1/conversations/:id", () => {
  test("assigns, resolves and reopens as the token's user, recorded in the conversation's history", async () => {
    const agent = await createUser({ role: "agent", name: "Ada" });
    const token = await tokenFor(agent);
    const conversation = await createConversation();

    const assigned = await api("PATCH", `/api/v1/conversations/${conversation.id}`, {
      token,
      body: { assigneeId: agent.id, status: "resolved" },
    });
    expect(assigned.status).toBe(200);
    expect(assigned.json).toMatchObject({
      id: conversation.id,
      handling: { status: "resolved", assignee: { id: agent.id, name: "Ada" } },
    });
    await api("PATCH", `/api/v1/conversations/${conversation.id}`, {
      token,
      body: { status: "open", assigneeId: null },
    });
    const events = await db
      .select({ kind: conversationEvents.kind, actor: conversationEvents.actorUserId })
      .from(conversationEvents)
      .where(eq(conversationEvents.conversationId, conversation.id))
      .orderBy(conversationEvents.createdAt);
    expect(events.map((event) => event.kind).sort()).toEqual(["assigned", "reopened", "resolved", "unassigned"]);
    expect(new Set(events.map((event) => event.actor))).toEqual(new Set([agent.id]));
    const read = await api("GET", `/api/v1/conversations/${conversation.id}`, { token });
    expect(read.json).toMatchObject({ handling: { status: "open", assignee: null } });
  });

  test("an unknown assignee or label changes nothing: 422 pointing at each", async () => {
    const agent = await createUser({ role: "agent" });
    const member = await createUser();
    const token = await tokenFor(agent);
    const conversation = await createConversation();
    const refused = await api("PATCH", `/api/v1/conversations/${conversation.id}`, {
      token,
      body: { assigneeId: member.id, status: "resolved", labels: [crypto.randomUUID()] },
    });
    const problem = expectProblem(refused, 422);
    expect(problem.errors?.map((error) => error.pointer)).toEqual(["/body/assigneeId", "/body/labels/0"]);
    const [after] = await db.select().from(conversations).where(eq(conversations.id, conversation.id));
    expect(after).toMatchObject({ assigneeId: null, resolvedAt: null });
    expectProblem(await api("PATCH", `/api/v1/conversations/${conversation.id}`, { token, body: {} }), 400);
  });
});

test("GET /api/v1/numbers lists our numbers and which may start a conversation", async () => {
  const agent = await createUser({ role: "agent" });
  const line = await ourNewNumber();
  await db
    .update(numbers)
    .set({ archivedAt: new Date() })
    .where(and(eq(numbers.id, line.id)));
  const list = await api("GET", "/api/v1/numbers", { token: await tokenFor(agent, { scope: "read" }) });
  const data = (list.json as unknown as { data: { number: string }[] }).data;
  expect(data).toContainEqual(expect.objectContaining({ number: defaultSender(), isDefault: true, canStart: true }));
  expect(data).toContainEqual(expect.objectContaining({ id: line.id, archived: true, canStart: false }));
});
