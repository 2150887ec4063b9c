import { and, eq, inArray, sql } from "drizzle-orm";
import { beforeEach, describe, expect, test } from "vitest";
import { db } from "~/.server/platform/db/client";
import { conversationEvents, conversations, numbers, users } from "~/.server/platform/db/schema";
import { receiveInbound } from "~/.server/conversations/inbound";
import { assign, resolve } from "~/.server/conversations/assignment";
import { assignmentRules, assignNext, setAssignmentRule } from "~/.server/automations/round-robin";
import * as teamNumbers from "~/routes/team.numbers";
import { setAway } from "~/.server/identity/availability";
import { runDueJobs } from "~/.server/background";
import { createConversation, createMessage, createUser, freshPhone } from "../support/factories";
import { callAction, callLoader, formErrors, typedValues } from "../support/route-call";

// Every agent and admin is a candidate: each test starts from a team of its own.
beforeEach(async () => {
  await db
    .update(users)
    .set({ deactivatedAt: new Date() })
    .where(inArray(users.role, ["agent", "admin"]));
});

let numberSequence = 0;
/** One of our numbers, with round robin on (and `capacity`) unless `on` is false. */
async function ourNumber({ on = true, capacity = null }: { on?: boolean; capacity?: number | null } = {}) {
  const [number] = await db
    .insert(numbers)
    .values({ number: `+4477009${String(10_000 + ++numberSequence).slice(1)}`, label: `Line ${numberSequence}` })
    .returning();
  if (on) await setAssignmentRule({ numberId: number!.id, mode: "round-robin", capacity });
  return number!;
}

let textSequence = 0;
/** A contact texts `to`, and the follow-ups run as the worker would run them. */
async function texts(to: string, from = freshPhone()) {
  // Each a text of its own: the same words again at once would be one redelivered SMS.
  const stored = await receiveInbound({ from, to, body: `Hello? (${++textSequence})` });
  await runDueJobs();
  if (stored.status !== "stored") throw new Error(`not stored: ${stored.status}`);
  return current(stored.conversationId);
}

const current = async (id: string) => (await db.select().from(conversations).where(eq(conversations.id, id)))[0]!;

const agents = (count: number) =>
  Promise.all(Array.from({ length: count }, (_, i) => createUser({ role: "agent", name: `Agent ${i}` })));

const eventsOf = (conversationId: string) =>
  db
    .select()
    .from(conversationEvents)
    .where(eq(conversationEvents.conversationId, conversationId))
    .orderBy(conversationEvents.createdAt);

describe("round robin", () => {
  test("splits 4 new conversations 2/2 between two available agents and gives none to an away one", async () => {
    const [ana, ben, away] = await agents(3);
    await setAway(away!.id, true);
    const number = await ourNumber();

    const assigned = [];
    for (let i = 0; i < 4; i++) assigned.push((await texts(number.number)).assigneeId);

    expect(assigned.filter((id) => id === ana!.id)).toHaveLength(2);
    expect(assigned.filter((id) => id === ben!.id)).toHaveLength(2);
    expect(assigned).not.toContain(away!.id);
    // Alternating, not first one then the other.
    expect(assigned[0]).not.toBe(assigned[1]);
  });

  test("each assignment is recorded as the automation's, with no person as actor", async () => {
    const [ana] = await agents(1);
    const conversation = await texts((await ourNumber()).number);
    expect(await eventsOf(conversation.id)).toMatchObject([
      { kind: "assigned", assigneeId: ana!.id, actorUserId: null, via: "round-robin" },
    ]);
  });

  test("a tie in open conversations goes to whoever was given one least recently", async () => {
    const [recent, earlier] = await agents(2);
    const past = await createConversation();
    for (const [agent, minutesAgo] of [
      [recent!, 5],
      [earlier!, 60],
    ] as const)
      await db.insert(conversationEvents).values({
        conversationId: past.id,
        kind: "assigned",
        assigneeId: agent.id,
        actorUserId: null,
        createdAt: new Date(Date.now() - minutesAgo * 60_000),
      });

    expect((await texts((await ourNumber()).number)).assigneeId).toBe(earlier!.id);
  });

  test("open conversations on any number count towards an agent's load", async () => {
    const [busy, idle] = await agents(2);
    const elsewhere = await createConversation();
    await assign(elsewhere.id, busy!.id, { actorUserId: busy!.id });
    expect((await texts((await ourNumber()).number)).assigneeId).toBe(idle!.id);
  });

  test("capacity passes full agents by; with everyone full it stays unassigned and the thread says why, once", async () => {
    const [ana, ben] = await agents(2);
    const number = await ourNumber({ capacity: 1 });
    const first = await texts(number.number);
    const second = await texts(number.number);
    expect(new Set([first.assigneeId, second.assigneeId])).toEqual(new Set([ana!.id, ben!.id]));

    const contact = freshPhone();
    const third = await texts(number.number, contact);
    await texts(number.number, contact);
    expect(third.assigneeId).toBeNull();
    expect(await eventsOf(third.id)).toMatchObject([{ kind: "none-available", via: "round-robin" }]);

    // Someone resolves one: the next text to the waiting conversation finds them.
    await resolve(first.id, { actorUserId: first.assigneeId });
    expect((await texts(number.number, contact)).assigneeId).toBe(first.assigneeId);
  });

  test("a reopened conversation whose assignee is away goes to someone available; one whose assignee is in stays", async () => {
    const [ana, ben] = await agents(2);
    const number = await ourNumber();
    const contact = freshPhone();
    const conversation = await texts(number.number, contact);
    const first = conversation.assigneeId!;
    const other = first === ana!.id ? ben!.id : ana!.id;

    await resolve(conversation.id, { actorUserId: first });
    expect((await texts(number.number, contact)).assigneeId).toBe(first);

    await resolve(conversation.id, { actorUserId: first });
    await setAway(first, true);
    const reopened = await texts(number.number, contact);
    expect(reopened.resolvedAt).toBeNull();
    expect(reopened.assigneeId).toBe(other);
  });

  test("a conversation whose assignee was deactivated goes to someone active", async () => {
    const [ana, ben] = await agents(2);
    const number = await ourNumber();
    const contact = freshPhone();
    const conversation = await texts(number.number, contact);
    await db.update(users).set({ deactivatedAt: new Date() }).where(eq(users.id, conversation.assigneeId!));
    const again = await texts(number.number, contact);
    expect(again.assigneeId).not.toBe(conversation.assigneeId);
    expect([ana!.id, ben!.id]).toContain(again.assigneeId);
  });

  test("a number with round robin off assigns nothing", async () => {
    await agents(2);
    expect((await texts((await ourNumber({ on: false })).number)).assigneeId).toBeNull();
  });

  test("ten conversations assigned at once: each gets one owner, and the rotation stays even", async () => {
    const [ana, ben] = await agents(2);
    const number = await ourNumber();
    const waiting = await Promise.all(
      Array.from({ length: 10 }, () => createConversation({ ourNumber: number.number })),
    );
    await Promise.all(waiting.map((conversation) => createMessage(conversation)));

    // Twice over, as two instances would: the second run finds every conversation handled.
    await Promise.all([...waiting, ...waiting].map((conversation) => assignNext(conversation.id)));

    const rows = await db
      .select({ assigneeId: conversations.assigneeId, count: sql<number>`count(*)::int` })
      .from(conversations)
      .where(eq(conversations.virtualNumber, number.number))
      .groupBy(conversations.assigneeId);
    expect(Object.fromEntries(rows.map((row) => [row.assigneeId, row.count]))).toEqual({
      [ana!.id]: 5,
      [ben!.id]: 5,
    });
    const assignments = await db
      .select({ count: sql<number>`count(*)::int` })
      .from(conversationEvents)
      .where(
        and(
          eq(conversationEvents.kind, "assigned"),
          inArray(
            conversationEvents.conversationId,
            waiting.map((conversation) => conversation.id),
          ),
        ),
      );
    expect(assignments[0]!.count).toBe(10);
  });
});

describe("the setting on /team/numbers", () => {
  const post = (cookie: string, form: Record<string, string>) =>
    callAction(teamNumbers.action, { url: "/team/numbers", cookie, form });

  test("an admin turns round robin on with a capacity, changes it, and turns it off", async () => {
    const admin = await createUser({ role: "admin" });
    const number = await ourNumber({ on: false });
    const rule = async () => (await assignmentRules()).get(number.id) ?? null;

    const on = { intent: "auto-assign", numberId: number.id, mode: "round-robin" };
    expect(await post(admin.cookie, { ...on, capacity: "3" })).toHaveRedirect("/team/numbers");
    expect(await rule()).toMatchObject({ capacity: 3 });
    await post(admin.cookie, { ...on, capacity: "" });
    expect(await rule()).toMatchObject({ capacity: null });
    const page = await callLoader(teamNumbers.loader, { url: "/team/numbers", cookie: admin.cookie });
    expect(page.data.numbers.find((row) => row.id === number.id)?.assignment).toEqual({
      mode: "round-robin",
      capacity: null,
    });
    await post(admin.cookie, { ...on, mode: "off" });
    expect(await rule()).toBeNull();
  });

  test("a capacity below 1 is a field error with the typed value kept; an agent gets a 404", async () => {
    const admin = await createUser({ role: "admin" });
    const number = await ourNumber({ on: false });
    const form = { intent: "auto-assign", numberId: number.id, mode: "round-robin", capacity: "0" };
    const refused = await post(admin.cookie, form);
    expect(refused).toHaveStatus(400);
    expect(formErrors(refused, "capacity")).toEqual(["At least 1, or leave it empty for no limit."]);
    expect(typedValues(refused)).toMatchObject({ capacity: "0" });

    const agent = await createUser({ role: "agent" });
    expect(await post(agent.cookie, { ...form, capacity: "2" })).toHaveStatus(404);
    expect((await assignmentRules()).has(number.id)).toBe(false);
  });
});
