import { and, eq, sql } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { answerInbound } from "~/.server/automations/auto-reply";
import { saveAutomations } from "~/.server/automations/number-settings";
import { runDueJobs } from "~/.server/background";
import { receiveInbound } from "~/.server/conversations/inbound";
import { db } from "~/.server/platform/db/client";
import { conversations, messages, numberAutomations, numbers, simulatedSms } from "~/.server/platform/db/schema";
import { OFFICE_HOURS, WEEKDAYS, type WeeklyHours } from "~/lib/business-hours";
import * as thread from "~/routes/messages.$conversationId";
import * as hoursPage from "~/routes/team.numbers.$numberId.hours";
import { useMessageBirdMock } from "../mocks/messagebird";
import { createUser, freshPhone, type TestUser } from "../support/factories";
import { callAction, callLoader, formErrors, typedValues, variant } from "../support/route-call";

// The simulator reports deliveries to our own status webhook over HTTP.
useMessageBirdMock();

const AWAY = "We are closed and will answer tomorrow morning.";
const CLOSED_ALL_WEEK: WeeklyHours = WEEKDAYS.map(() => ({ open: false, from: "09:00", to: "17:00" }));
const NINE_TO_FIVE: WeeklyHours = WEEKDAYS.map(() => ({ open: true, from: "09:00", to: "17:00" }));
const NIGHTS: WeeklyHours = WEEKDAYS.map(() => ({ open: true, from: "22:00", to: "06:00" }));

let numberSequence = 0;

/** One of our numbers, for this test alone, with its automations as an admin saved them. */
async function ourNumber({
  label = "Acme Support",
  hours,
  timeZone = "Europe/Amsterdam",
  helpText,
}: { label?: string | null; hours?: WeeklyHours; timeZone?: string; helpText?: string } = {}) {
  const number = `+3197010${String(++numberSequence).padStart(5, "0")}`;
  const [row] = await db.insert(numbers).values({ number, label }).returning();
  if (hours || helpText) {
    await saveAutomations(row!.id, {
      enabled: hours !== undefined,
      timeZone,
      days: hours ?? OFFICE_HOURS,
      awayMessage: AWAY,
      helpText,
    });
  }
  return row!;
}

/** A contact's SMS to `to`, stored as the webhook stores it; `at` moves its arrival, as if it came then. */
async function text(from: string, to: string, body: string, at?: Date) {
  const stored = variant(
    await receiveInbound({ from, to, body, providerMessageId: crypto.randomUUID() }),
    "status",
    "stored",
  );
  if (at) await db.update(messages).set({ createdAt: at }).where(eq(messages.id, stored.id));
  return stored;
}

/** What the contact's handset received from the number. */
const handset = (contact: string) =>
  db
    .select({ body: simulatedSms.body })
    .from(simulatedSms)
    .where(eq(simulatedSms.toNumber, contact))
    .then((rows) => rows.map((row) => row.body));

const autoReplies = (conversationId: string) =>
  db
    .select()
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.author, "system")));

describe("the away message", () => {
  test("goes out once per window to a contact who texts outside the hours, and again after it", async () => {
    const number = await ourNumber({ hours: CLOSED_ALL_WEEK });
    const contact = freshPhone();

    const { conversationId } = await text(contact, number.number, "Is anyone there?");
    await runDueJobs();
    await text(contact, number.number, "Hello?");
    await runDueJobs();
    expect(await handset(contact)).toEqual([AWAY]);
    expect(await autoReplies(conversationId)).toMatchObject([{ body: AWAY, status: "sent", authorUserId: null }]);

    // A day and an hour later, as far as the conversation knows.
    await db
      .update(conversations)
      .set({ awayRepliedAt: sql`${conversations.awayRepliedAt} - interval '25 hours'` })
      .where(eq(conversations.id, conversationId));
    await text(contact, number.number, "Back again");
    await runDueJobs();
    expect(await handset(contact)).toEqual([AWAY, AWAY]);
  });

  test("exactly one for five texts in one second, whatever runs their jobs at once", async () => {
    const number = await ourNumber({ hours: CLOSED_ALL_WEEK });
    const contact = freshPhone();
    const burst = await Promise.all(
      ["a", "b", "c", "d", "e"].map((body) => text(contact, number.number, `Part ${body}`)),
    );

    // Each text's follow-up at the same moment (as on several instances), then two workers at once.
    await Promise.all(burst.map(({ id }) => answerInbound([id])));
    await Promise.all([runDueJobs(), runDueJobs()]);

    expect(await autoReplies(burst[0]!.conversationId)).toHaveLength(1);
    expect(await handset(contact)).toEqual([AWAY]);
  });

  test("none while open, none with hours off, none in answer to STOP, START or HELP, none after STOP", async () => {
    const open = await ourNumber({ hours: WEEKDAYS.map(() => ({ open: true, from: "00:00", to: "00:00" })) });
    const off = await ourNumber();
    const closed = await ourNumber({ hours: CLOSED_ALL_WEEK });
    const [a, b, c, d, e] = [freshPhone(), freshPhone(), freshPhone(), freshPhone(), freshPhone()];

    await text(a, open.number, "Open all day?");
    await text(b, off.number, "No hours set");
    await text(c, closed.number, "STOP");
    await text(d, closed.number, "START");
    await text(e, closed.number, "STOP");
    await text(e, closed.number, "Why did you stop?");
    await runDueJobs();

    for (const contact of [a, b, c, d, e]) expect(await handset(contact)).toEqual([]);
    const help = freshPhone();
    await text(help, closed.number, "HELP");
    await runDueJobs();
    expect(await handset(help)).toEqual([expect.stringContaining("Reply STOP to opt out.")]);
  });

  describe("in the number's time zone", () => {
    const outcome = async (hours: WeeklyHours, timeZone: string, at: string) => {
      const number = await ourNumber({ hours, timeZone });
      const contact = freshPhone();
      await text(contact, number.number, "Hi there", new Date(at));
      await runDueJobs();
      return (await handset(contact)).length === 0 ? "open" : "closed";
    };

    test("a night shift runs past midnight", async () => {
      expect(await outcome(NIGHTS, "Europe/Amsterdam", "2026-01-14T23:30:00Z")).toBe("open"); // 00:30
      expect(await outcome(NIGHTS, "Europe/Amsterdam", "2026-01-14T04:30:00Z")).toBe("open"); // 05:30
      expect(await outcome(NIGHTS, "Europe/Amsterdam", "2026-01-14T05:30:00Z")).toBe("closed"); // 06:30
    });

    test("the clocks going forward in Amsterdam on 29 March 2026", async () => {
      // 03:30 UTC: 05:30 summer time, still night; 04:30 UTC: 06:30, closed (a fixed winter offset says 05:30).
      expect(await outcome(NIGHTS, "Europe/Amsterdam", "2026-03-29T03:30:00Z")).toBe("open");
      expect(await outcome(NIGHTS, "Europe/Amsterdam", "2026-03-29T04:30:00Z")).toBe("closed");
    });

    test("the clocks going back in Amsterdam on 25 October 2026 and in New York on 1 November 2026", async () => {
      // 15:30 UTC: 16:30 winter time, open (a fixed summer offset says 17:30); 16:30 UTC: 17:30, closed.
      expect(await outcome(NINE_TO_FIVE, "Europe/Amsterdam", "2026-10-25T15:30:00Z")).toBe("open");
      expect(await outcome(NINE_TO_FIVE, "Europe/Amsterdam", "2026-10-25T16:30:00Z")).toBe("closed");
      expect(await outcome(NIGHTS, "Europe/Amsterdam", "2026-10-25T05:30:00Z")).toBe("closed"); // 06:30 CET
      expect(await outcome(NIGHTS, "Europe/Amsterdam", "2026-10-24T03:30:00Z")).toBe("open"); // 05:30 CEST
      // New York: 10:30 UTC is 05:30 EST after the change (open), 06:30 EDT the day before (closed).
      expect(await outcome(NIGHTS, "America/New_York", "2026-11-01T10:30:00Z")).toBe("open");
      expect(await outcome(NIGHTS, "America/New_York", "2026-10-31T10:30:00Z")).toBe("closed");
    });
  });

  test("the thread shows it as Auto-reply, to the team and to the member whose conversation it is", async () => {
    const number = await ourNumber({ hours: CLOSED_ALL_WEEK });
    const contact = freshPhone();
    const member = await createUser({ phone: contact });
    const admin = await createUser({ role: "admin" });
    const { conversationId } = await text(contact, number.number, "Evening!");
    await runDueJobs();

    for (const viewer of [member, admin]) {
      const page = await callLoader(thread.loader, {
        url: `/messages/${conversationId}`,
        cookie: viewer.cookie,
        params: { conversationId },
      });
      const away = page.data.timeline.find((item) => item.type === "message" && item.body === AWAY);
      expect(away).toMatchObject({ authorLabel: "Auto-reply", automatic: true, direction: "outbound" });
    }
  });
});

describe("HELP", () => {
  test("HELP and INFO get the default text naming the team, or the number's own", async () => {
    const labelled = await ourNumber({ label: "Acme Support" });
    const unlabelled = await ourNumber({ label: null });
    const custom = await ourNumber({ helpText: "Acme: call 020 123 4567, 9-17. Reply STOP to opt out." });
    const [a, b, c] = [freshPhone(), freshPhone(), freshPhone()];

    await text(a, labelled.number, "Help");
    await text(b, unlabelled.number, "INFO ");
    await text(c, custom.number, "help");
    await text(c, custom.number, "info");
    await runDueJobs();

    expect(await handset(a)).toEqual([
      "Acme Support: this number is answered by our team, so just reply with your question. Reply STOP to opt out.",
    ]);
    expect(await handset(b)).toEqual([expect.stringMatching(/^Birdline: .*Reply STOP to opt out\.$/)]);
    expect(await handset(c)).toEqual([
      "Acme: call 020 123 4567, 9-17. Reply STOP to opt out.",
      "Acme: call 020 123 4567, 9-17. Reply STOP to opt out.",
    ]);
  });

  test("a retried HELP job answers once", async () => {
    const number = await ourNumber();
    const contact = freshPhone();
    const help = await text(contact, number.number, "HELP");

    await answerInbound([help.id]);
    await answerInbound([help.id]);
    await runDueJobs();

    expect(await autoReplies(help.conversationId)).toHaveLength(1);
    expect(await handset(contact)).toHaveLength(1);
  });

  test("a handset texting HELP over and over gets five answers an hour", async () => {
    const number = await ourNumber();
    const contact = freshPhone();
    for (let i = 0; i < 7; i++) await text(contact, number.number, "HELP");
    await runDueJobs();

    expect(await handset(contact)).toHaveLength(5);
  });

  test("is answered after STOP, and neither opts out nor back in", async () => {
    const number = await ourNumber();
    const contact = freshPhone();
    const { conversationId } = await text(contact, number.number, "STOP");
    await text(contact, number.number, "HELP");
    await runDueJobs();

    expect(await handset(contact)).toEqual([expect.stringContaining("Reply STOP to opt out.")]);
    const [row] = await db.select().from(conversations).where(eq(conversations.id, conversationId));
    expect(row!.optedOutAt).not.toBeNull();
  });
});

describe("the hours page", () => {
  const hoursForm = (days: WeeklyHours = OFFICE_HOURS) => ({
    enabled: "on",
    timeZone: "Europe/Amsterdam",
    awayMessage: AWAY,
    helpText: "",
    ...Object.fromEntries(
      days.flatMap((day, i) => [
        ...(day.open ? [[`days[${i}].open`, "on"]] : []),
        [`days[${i}].from`, day.from],
        [`days[${i}].to`, day.to],
      ]),
    ),
  });
  const post = (user: TestUser, numberId: string, form: Record<string, string>) =>
    callAction(hoursPage.action, {
      url: `/team/numbers/${numberId}/hours`,
      cookie: user.cookie,
      params: { numberId },
      form,
    });

  test("members and agents get a 404, on the page and on its form", async () => {
    const number = await ourNumber();
    for (const role of ["member", "agent"] as const) {
      const user = await createUser({ role });
      const page = await callLoader(hoursPage.loader, {
        url: `/team/numbers/${number.id}/hours`,
        cookie: user.cookie,
        params: { numberId: number.id },
      });
      expect(page).toHaveStatus(404);
      expect(await post(user, number.id, hoursForm())).toHaveStatus(404);
    }
    expect(await db.select().from(numberAutomations).where(eq(numberAutomations.numberId, number.id))).toEqual([]);
  });

  test("an admin saves hours across midnight, and sees them again", async () => {
    const admin = await createUser({ role: "admin" });
    const number = await ourNumber();
    const saved = await post(admin, number.id, hoursForm(NIGHTS));
    expect(saved).toHaveRedirect(`/team/numbers/${number.id}/hours?saved`);

    const page = await callLoader(hoursPage.loader, {
      url: `/team/numbers/${number.id}/hours?saved`,
      cookie: admin.cookie,
      params: { numberId: number.id },
    });
    expect(page.data.settings).toMatchObject({
      enabled: true,
      timeZone: "Europe/Amsterdam",
      days: NIGHTS,
      awayMessage: AWAY,
    });
    expect(page.data.saved).toBe(true);
  });

  test("a bad time and an empty away message come back with their errors and what was typed", async () => {
    const admin = await createUser({ role: "admin" });
    const number = await ourNumber();
    const refused = await post(admin, number.id, {
      ...hoursForm(),
      "days[0].from": "25:00",
      awayMessage: "",
      timeZone: "America/New_York",
    });

    expect(refused).toHaveStatus(400);
    expect(formErrors(refused, "days[0].from")).toEqual([expect.stringMatching(/Enter a time/)]);
    expect(formErrors(refused, "awayMessage")).toEqual([expect.stringMatching(/Write the message/)]);
    expect(typedValues(refused)).toMatchObject({
      timeZone: "America/New_York",
      days: expect.arrayContaining([expect.objectContaining({ from: "25:00" })]),
    });
    expect(await db.select().from(numberAutomations).where(eq(numberAutomations.numberId, number.id))).toEqual([]);
  });

  test("an unknown number is a 404", async () => {
    const admin = await createUser({ role: "admin" });
    const numberId = crypto.randomUUID();
    const page = await callLoader(hoursPage.loader, {
      url: `/team/numbers/${numberId}/hours`,
      cookie: admin.cookie,
      params: { numberId },
    });
    expect(page).toHaveStatus(404);
  });
});
