import { describe, expect, test } from "vitest";
import { db } from "~/.server/platform/db/client";
import { eq } from "drizzle-orm";
import { conversationEvents, conversations, messages, numbers } from "~/.server/platform/db/schema";
import * as reportsCsv from "~/routes/reports.csv";
import * as reports from "~/routes/reports";
import { createConversation, createMessages, createUser, freshPhone } from "../support/factories";
import { callLoader, variant } from "../support/route-call";

let numberSequence = 0;
/** One of our numbers that no other test uses, so filtering by it isolates a test's history. */
async function ourNumber(label: string) {
  const number = `+4477009${String(10_000 + ++numberSequence).slice(1)}`;
  const [row] = await db.insert(numbers).values({ number, label }).returning();
  return row!;
}

const at = (iso: string, plusSeconds = 0) => new Date(Date.parse(iso) + plusSeconds * 1000);

async function resolvedAt(conversationId: string, actorUserId: string, createdAt: Date) {
  await db.insert(conversationEvents).values({ conversationId, kind: "resolved", actorUserId, createdAt });
}

const withZone = (cookie: string, zone?: string) => (zone ? `${cookie}; tz=${encodeURIComponent(zone)}` : cookie);

async function report(cookie: string, search: Record<string, string>, zone?: string) {
  const answer = await callLoader(reports.loader, {
    url: `/reports?${new URLSearchParams(search)}`,
    cookie: withZone(cookie, zone),
  });
  expect(answer).toHaveStatus(200);
  return variant(answer.data.report, "ok", true);
}

async function csvRows(cookie: string, search: Record<string, string>, zone?: string) {
  const answer = await callLoader(reportsCsv.loader, {
    url: `/reports.csv?${new URLSearchParams(search)}`,
    cookie: withZone(cookie, zone),
  });
  expect(answer).toHaveStatus(200);
  const text = answer.data as string;
  // Every cell is quoted by the CSV writer; these tables hold no quotes or commas of their own.
  return text
    .replace(/^\uFEFF/, "")
    .trimEnd()
    .split("\r\n")
    .map((line) => line.slice(1, -1).split('","'));
}

/**
 * A week with known times on two numbers of ours:
 * - A: inbound at t, an auto-reply at t+5 s, a person's reply at t+90 s, the contact again at t+120 s,
 *   resolved at t+10 min; a day later the contact reopens it and gets a reply 30 s later;
 * - B: inbound, a reply 5 min later; C (second number): inbound, no reply yet;
 * - D: the team texts first, the contact answers a minute later (waiting for us now);
 * - the week before: E, inbound and a reply 60 s later.
 */
async function seedWeek() {
  const [first, second] = [await ourNumber("Support"), await ourNumber("Sales")];
  const ann = await createUser({ role: "agent", name: "Ann Agent" });
  const bob = await createUser({ role: "admin", name: "Bob Admin" });
  const conversation = (on: typeof first) => createConversation({ ourNumber: on.number });
  const reply = (by: { id: string }, createdAt: Date) =>
    ({ direction: "outbound", author: "user", authorUserId: by.id, createdAt }) as const;

  const a = await conversation(first);
  const t = "2026-03-03T10:00:00Z";
  const reopened = "2026-03-04T09:00:00Z";
  await createMessages(a, [
    { createdAt: at(t) },
    { direction: "outbound", author: "system", body: "We are closed; we answer at 9.", createdAt: at(t, 5) },
    reply(ann, at(t, 90)),
    { createdAt: at(t, 120) },
    { createdAt: at(reopened) },
    reply(bob, at(reopened, 30)),
  ]);
  await resolvedAt(a.id, ann.id, at(t, 600));

  const b = await conversation(first);
  await createMessages(b, [{ createdAt: at("2026-03-05T12:00:00Z") }, reply(ann, at("2026-03-05T12:05:00Z"))]);
  const c = await conversation(second);
  await createMessages(c, [{ createdAt: at("2026-03-06T08:00:00Z") }]);
  const d = await conversation(first);
  await createMessages(d, [reply(bob, at("2026-03-07T10:00:00Z")), { createdAt: at("2026-03-07T10:01:00Z") }]);
  const e = await conversation(first);
  await createMessages(e, [{ createdAt: at("2026-02-25T10:00:00Z") }, reply(ann, at("2026-02-25T10:01:00Z"))]);
  return { first, second, ann, bob, a };
}

const WEEK = { period: "custom", from: "2026-03-02", to: "2026-03-08" };

describe("/reports", () => {
  test("a known history gives exactly its counts, medians and p90s, beside the week before", async () => {
    const { first, second, ann, bob } = await seedWeek();
    const viewer = await createUser({ role: "agent" });

    const { figures, days } = await report(viewer.cookie, WEEK);

    expect(days).toEqual({
      from: "2026-03-02",
      to: "2026-03-08",
      days: 7,
      previousFrom: "2026-02-23",
      previousTo: "2026-03-01",
    });
    expect(figures.current).toEqual({
      started: 5,
      startedByTeam: 1,
      inbound: 6,
      byPeople: 4,
      automatic: 1,
      segments: 5,
      // 30 s, 90 s and 300 s: the auto-reply 5 s after A's first SMS is no response.
      firstResponseMedian: 90,
      firstResponseP90: 300,
      resolutionMedian: 600,
    });
    expect(figures.previous).toEqual({
      started: 1,
      startedByTeam: 0,
      inbound: 1,
      byPeople: 1,
      automatic: 0,
      segments: 1,
      firstResponseMedian: 60,
      firstResponseP90: 60,
      resolutionMedian: null,
    });
    expect(figures.daily).toEqual([
      { day: "2026-03-03", inbound: 2, byPeople: 1, automatic: 1, segments: 2, responses: 1, firstResponseMedian: 90 },
      { day: "2026-03-04", inbound: 1, byPeople: 1, automatic: 0, segments: 1, responses: 1, firstResponseMedian: 30 },
      { day: "2026-03-05", inbound: 1, byPeople: 1, automatic: 0, segments: 1, responses: 1, firstResponseMedian: 300 },
      {
        day: "2026-03-06",
        inbound: 1,
        byPeople: 0,
        automatic: 0,
        segments: 0,
        responses: 0,
        firstResponseMedian: null,
      },
      {
        day: "2026-03-07",
        inbound: 1,
        byPeople: 1,
        automatic: 0,
        segments: 1,
        responses: 0,
        firstResponseMedian: null,
      },
    ]);
    // Tuesday 10:00 UTC: A's first SMS and its follow-up.
    expect(figures.heatmap[1]![10]).toBe(2);
    expect(figures.heatmap.flat().reduce((sum, count) => sum + count, 0)).toBe(6);
    expect(figures.agents).toEqual([
      { userId: ann.id, name: "Ann Agent", replies: 2, resolved: 1, firstResponseMedian: 90 },
      { userId: bob.id, name: "Bob Admin", replies: 2, resolved: 0, firstResponseMedian: 30 },
    ]);
    expect(figures.numbers).toEqual([
      {
        number: first.number,
        name: "Support",
        inbound: 5,
        byPeople: 4,
        automatic: 1,
        segments: 5,
        firstResponseMedian: 90,
      },
      {
        number: second.number,
        name: "Sales",
        inbound: 1,
        byPeople: 0,
        automatic: 0,
        segments: 0,
        firstResponseMedian: null,
      },
    ]);
  });

  test("what came before and after the period counts: an earlier resolution, a late reply", async () => {
    const number = await ourNumber("Edges");
    const [ann, viewer] = [await createUser({ role: "agent" }), await createUser({ role: "agent" })];
    const conversation = () => createConversation({ ourNumber: number.number });
    const reply = (createdAt: Date) =>
      ({ direction: "outbound", author: "user", authorUserId: ann.id, createdAt }) as const;
    // Still open since March: its April text starts nothing.
    const ongoing = await conversation();
    await createMessages(ongoing, [{ createdAt: at("2026-03-01T10:00:00Z") }, reply(at("2026-03-01T10:01:00Z"))]);
    await createMessages(ongoing, [{ createdAt: at("2026-04-07T10:00:00Z") }]);
    // Resolved in March: its April text reopens it, answered and resolved after the period.
    const reopened = await conversation();
    await createMessages(reopened, [{ createdAt: at("2026-03-01T10:00:00Z") }]);
    await resolvedAt(reopened.id, ann.id, at("2026-03-02T10:00:00Z"));
    await createMessages(reopened, [{ createdAt: at("2026-04-08T10:00:00Z") }, reply(at("2026-04-13T10:00:00Z"))]);
    await resolvedAt(reopened.id, ann.id, at("2026-04-14T10:00:00Z"));
    // Resolved an hour after its text with only an auto-reply: no first response, even by the later reply.
    const closed = await conversation();
    await createMessages(closed, [
      { createdAt: at("2026-04-12T23:00:00Z") },
      { direction: "outbound", author: "system", createdAt: at("2026-04-12T23:00:01Z") },
      reply(at("2026-04-13T01:00:00Z")),
    ]);
    await resolvedAt(closed.id, ann.id, at("2026-04-13T00:00:00Z"));

    const { figures } = await report(viewer.cookie, {
      period: "custom",
      from: "2026-04-06",
      to: "2026-04-12",
      number: number.id,
    });

    expect(figures.current).toMatchObject({
      started: 2,
      inbound: 3,
      firstResponseMedian: 5 * 86_400,
      firstResponseP90: 5 * 86_400,
      // An hour, and six days: the lower middle.
      resolutionMedian: 3600,
    });
    expect(figures.previous.started).toBe(0);
  });

  test("conversations waiting for a person now, and since when, per number", async () => {
    const { first, second } = await seedWeek();
    const viewer = await createUser({ role: "agent" });

    const onFirst = await report(viewer.cookie, { ...WEEK, number: first.id });
    const onSecond = await report(viewer.cookie, { ...WEEK, number: second.id });

    // D's contact answered the team's first SMS; A and B were answered, E too.
    expect(onFirst.figures.waiting).toEqual({ conversations: 1, oldestSince: at("2026-03-07T10:01:00Z") });
    expect(onSecond.figures.waiting).toEqual({ conversations: 1, oldestSince: at("2026-03-06T08:00:00Z") });
    expect(onSecond.figures.current).toMatchObject({ started: 1, inbound: 1, byPeople: 0, firstResponseMedian: null });
  });

  test("an agent filter keeps the conversations assigned to them now", async () => {
    const { first, ann, bob, a } = await seedWeek();
    await db.update(conversations).set({ assigneeId: bob.id }).where(eq(conversations.id, a.id));
    const viewer = await createUser({ role: "admin" });

    const bobs = await report(viewer.cookie, { ...WEEK, number: first.id, agent: bob.id });
    const anns = await report(viewer.cookie, { ...WEEK, number: first.id, agent: ann.id });

    expect(bobs.query.agent).toBe(bob.id);
    expect(bobs.figures.current).toMatchObject({
      started: 2,
      inbound: 3,
      byPeople: 2,
      automatic: 1,
      firstResponseMedian: 30,
    });
    expect(anns.figures.current).toMatchObject({ started: 0, inbound: 0, byPeople: 0 });
  });

  test("a day is the viewer's local day, in a zone ahead of UTC and one behind", async () => {
    const number = await ourNumber("Zones");
    const viewer = await createUser({ role: "agent" });
    const conversation = await createConversation({ ourNumber: number.number });
    await createMessages(conversation, [
      // 23:30 on 15 January in New York, already the 16th in UTC.
      { createdAt: at("2026-01-16T04:30:00Z") },
      // 23:30 on 15 January in Tokyo, and 00:30 on the 16th there (still the 15th in UTC).
      { createdAt: at("2026-01-15T14:30:00Z") },
      { createdAt: at("2026-01-15T15:30:00Z") },
    ]);
    const day = { period: "custom", from: "2026-01-15", to: "2026-01-15", number: number.id };

    const newYork = await report(viewer.cookie, day, "America/New_York");
    const tokyo = await report(viewer.cookie, day, "Asia/Tokyo");
    const utc = await report(viewer.cookie, day);

    expect(newYork.timeZone).toBe("America/New_York");
    expect(newYork.figures.daily.map(({ day, inbound }) => [day, inbound])).toEqual([["2026-01-15", 3]]);
    expect(tokyo.figures.daily.map(({ day, inbound }) => [day, inbound])).toEqual([["2026-01-15", 1]]);
    expect(utc.figures.daily.map(({ day, inbound }) => [day, inbound])).toEqual([["2026-01-15", 2]]);
    // Thursday 23:00 in both zones.
    expect(newYork.figures.heatmap[3]![23]).toBe(1);
    expect(tokyo.figures.heatmap[3]![23]).toBe(1);
  });

  test("the periods: today and the last 7 days end today where the viewer is; a backwards range says why", async () => {
    const viewer = await createUser({ role: "agent" });
    const week = await report(viewer.cookie, {}, "Pacific/Kiritimati");
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Pacific/Kiritimati" }).format(new Date());
    expect(week.days.to).toBe(today);
    expect(week.days.days).toBe(7);
    expect((await report(viewer.cookie, { period: "today" })).days.days).toBe(1);

    const backwards = await callLoader(reports.loader, {
      url: "/reports?period=custom&from=2026-03-08&to=2026-03-01",
      cookie: viewer.cookie,
    });
    expect(variant(backwards.data.report, "ok", false).message).toBe("The end date comes before the start date.");
  });

  test("every CSV table holds the page's figures", async () => {
    const { first } = await seedWeek();
    const viewer = await createUser({ role: "agent" });
    const search = { ...WEEK, number: first.id };
    const { figures } = await report(viewer.cookie, search);

    const summary = await csvRows(viewer.cookie, { ...search, table: "summary" });
    expect(summary[0]).toEqual(["figure", "this period", "previous period"]);
    const byFigure = Object.fromEntries(summary.slice(1).map(([figure, ...values]) => [figure, values]));
    expect(byFigure["inbound messages"]).toEqual([String(figures.current.inbound), String(figures.previous.inbound)]);
    expect(byFigure["outbound messages by people"]).toEqual(["4", "1"]);
    expect(byFigure["automatic outbound messages"]).toEqual(["1", "0"]);
    expect(byFigure["first response median (s)"]).toEqual(["90", "60"]);
    expect(byFigure["first response p90 (s)"]).toEqual(["300", "60"]);

    const daily = await csvRows(viewer.cookie, { ...search, table: "daily" });
    const column = (name: string) => daily[0]!.indexOf(name);
    const total = (name: string) => daily.slice(1).reduce((sum, row) => sum + Number(row[column(name)]), 0);
    expect(total("inbound")).toBe(figures.current.inbound);
    expect(total("outbound by people")).toBe(figures.current.byPeople);
    expect(total("segments")).toBe(figures.current.segments);

    const heatmap = await csvRows(viewer.cookie, { ...search, table: "heatmap" });
    expect(
      heatmap
        .slice(1)
        .flatMap((row) => row.slice(1).map(Number))
        .reduce((a, b) => a + b, 0),
    ).toBe(figures.current.inbound);
    const agents = await csvRows(viewer.cookie, { ...search, table: "agents" });
    expect(agents.slice(1)).toEqual(
      figures.agents.map((agent) => [
        agent.name,
        String(agent.replies),
        String(agent.resolved),
        String(agent.firstResponseMedian),
      ]),
    );
    const answer = await callLoader(reportsCsv.loader, {
      url: `/reports.csv?${new URLSearchParams({ ...search, table: "numbers" })}`,
      cookie: viewer.cookie,
    });
    expect(answer.headers.get("content-disposition")).toBe(
      'attachment; filename="birdline-report-numbers-2026-03-02-to-2026-03-08.csv"',
    );
    expect(answer.headers.get("cache-control")).toBe("private, no-store");
    expect(await csvRows(viewer.cookie, { ...search, table: "nonsense" }).catch(() => "refused")).toBe("refused");
  });

  test("a report counts what was written since the last one: a reply, a cancelled reply, a resolution, a deletion", async () => {
    const number = await ourNumber("Later");
    const [ann, viewer] = [await createUser({ role: "agent" }), await createUser({ role: "agent" })];
    const week = { ...WEEK, number: number.id };
    const kept = await createConversation({ ourNumber: number.number });
    const [first] = await createMessages(kept, [{ createdAt: at("2026-03-03T10:00:00Z") }]);
    const gone = await createConversation({ ourNumber: number.number });
    await createMessages(gone, [{ createdAt: at("2026-03-04T10:00:00Z") }]);
    expect((await report(viewer.cookie, week)).figures).toMatchObject({
      current: { started: 2, inbound: 2, byPeople: 0, firstResponseMedian: null, resolutionMedian: null },
      waiting: { conversations: 2, oldestSince: first!.createdAt },
    });

    const [, cancelled] = await createMessages(kept, [
      { direction: "outbound", author: "user", authorUserId: ann.id, createdAt: at("2026-03-03T10:02:00Z") },
      { direction: "outbound", author: "user", authorUserId: ann.id, createdAt: at("2026-03-03T10:03:00Z") },
    ]);
    await db.update(messages).set({ status: "cancelled" }).where(eq(messages.id, cancelled!.id));
    await resolvedAt(kept.id, ann.id, at("2026-03-03T11:00:00Z"));
    await db.delete(conversations).where(eq(conversations.id, gone.id));

    expect((await report(viewer.cookie, week)).figures).toMatchObject({
      current: { started: 1, inbound: 1, byPeople: 1, firstResponseMedian: 120, resolutionMedian: 3600 },
      waiting: { conversations: 0, oldestSince: null },
    });
  });

  test("members get a 404 for the page and the CSV; signed out asks to sign in", async () => {
    const member = await createUser({ phone: freshPhone() });
    expect(await callLoader(reports.loader, { url: "/reports", cookie: member.cookie })).toHaveStatus(404);
    expect(
      await callLoader(reportsCsv.loader, { url: "/reports.csv?table=summary", cookie: member.cookie }),
    ).toHaveStatus(404);
    expect((await callLoader(reports.loader, { url: "/reports" })).location).toMatch(/^\/login/);
  });
});
