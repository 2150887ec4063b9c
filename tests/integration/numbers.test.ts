import { and, eq } from "drizzle-orm";
import { describe, expect, test, vi } from "vitest";
import { runDueJobs } from "~/.server/background";
import { sendVerificationCode } from "~/.server/identity/phone-verification";
import { db } from "~/.server/platform/db/client";
import { conversations, messages, numbers } from "~/.server/platform/db/schema";
import * as inbox from "~/routes/messages";
import * as inboxIndex from "~/routes/messages._index";
import * as thread from "~/routes/messages.$conversationId";
import * as newConversation from "~/routes/messages.new";
import * as teamNumbers from "~/routes/team.numbers";
import * as webhook from "~/routes/webhooks.messagebird";
import { useMessageBirdMock } from "../mocks/messagebird";
import { createConversation, createUser, freshPhone, type TestUser } from "../support/factories";
import { callAction, callLoader, formErrors, typedValues, variant } from "../support/route-call";

// Replies go through the real MessageBird SDK (intercepted by MSW): the `originator` is what MessageBird sees.
vi.hoisted(() => {
  process.env.MESSAGEBIRD_API_KEY = "test_access_key";
});

const messagebird = useMessageBirdMock();

const DEFAULT = "+447700900000";

/** An SMS as MessageBird's Flow Builder posts it to our webhook. */
async function textUs({ from, to, body = "Hello" }: { from: string; to: string; body?: string }) {
  const request = new Request("http://localhost:3000/webhooks/messagebird?secret=test-webhook-secret-0123456789", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ originator: from, recipient: to, payload: body, messageId: crypto.randomUUID() }),
  });
  const outcome = await callAction(webhook.action, { request });
  expect(outcome).toHaveStatus(200);
}

const conversationsOf = (contact: string) =>
  db.select().from(conversations).where(eq(conversations.contactNumber, contact)).orderBy(conversations.createdAt);

const numberRow = async (number: string) => (await db.select().from(numbers).where(eq(numbers.number, number)))[0];

const manageNumbers = (user: TestUser, form: Record<string, string>) =>
  callAction(teamNumbers.action, { url: "/team/numbers", cookie: user.cookie, form });

/** Adds a number as an admin would, and returns its row. */
async function addOurNumber(admin: TestUser, number: string, label: string) {
  expect(await manageNumbers(admin, { intent: "add", number, label })).toHaveRedirect("/team/numbers");
  return (await numberRow(number))!;
}

async function reply(user: TestUser, conversationId: string, body: string) {
  const page = await callLoader(thread.loader, {
    url: `/messages/${conversationId}`,
    cookie: user.cookie,
    params: { conversationId },
  });
  const outcome = await callAction(thread.action, {
    url: `/messages/${conversationId}`,
    cookie: user.cookie,
    params: { conversationId },
    form: { intent: "send", body, idempotencyKey: page.data.idempotencyKey },
  });
  expect(outcome).toHaveRedirect(`/messages/${conversationId}`);
  // The outbox's worker sends it, as it would within milliseconds in the running app.
  await runDueJobs();
  return page.data.conversation;
}

async function startConversation(user: TestUser, form: Record<string, string>) {
  const page = await callLoader(newConversation.loader, { url: "/messages/new", cookie: user.cookie });
  const outcome = await callAction(newConversation.action, {
    url: "/messages/new",
    cookie: user.cookie,
    form: { idempotencyKey: page.data.idempotencyKey, ...form },
  });
  await runDueJobs();
  return { page: page.data, outcome };
}

describe("one contact, several of our numbers", () => {
  test("texting two of our numbers makes two conversations, and each reply goes out from its own number", async () => {
    const admin = await createUser({ role: "admin" });
    await addOurNumber(admin, "+31 97 0102 0304", "Support NL");
    const contact = freshPhone();

    await textUs({ from: contact, to: DEFAULT, body: "Hi UK" });
    await textUs({ from: contact, to: "319701020304", body: "Hi NL" });

    const [uk, nl] = await conversationsOf(contact);
    expect([uk!.virtualNumber, nl!.virtualNumber]).toEqual([DEFAULT, "+319701020304"]);

    const ukThread = await reply(admin, uk!.id, "Answer from UK");
    const nlThread = await reply(admin, nl!.id, "Answer from NL");
    expect(ukThread.via).toBe("Main number");
    expect(nlThread.via).toBe("Support NL");
    expect(messagebird.sent.map(({ body }) => [body.originator, String(body.recipients), body.body])).toEqual([
      [DEFAULT, contact, "Answer from UK"],
      ["+319701020304", contact, "Answer from NL"],
    ]);
  });

  test("the list shows each conversation's number and filters by it; an unknown filter is a 404", async () => {
    const admin = await createUser({ role: "admin" });
    const nlNumber = await addOurNumber(admin, "+31970102031", "Filter NL");
    const contact = freshPhone();
    await textUs({ from: contact, to: DEFAULT });
    await textUs({ from: contact, to: nlNumber.number });

    const open = (query: string) => callLoader(inbox.loader, { url: `/messages${query}`, cookie: admin.cookie });
    const all = variant((await open(`?q=${encodeURIComponent(contact)}`)).data, "team", true);
    expect(all.conversations.map((c) => c.ourNumber).sort((a, b) => a.number.localeCompare(b.number))).toEqual([
      { number: "+31970102031", label: "Filter NL" },
      { number: DEFAULT, label: "Main number" },
    ]);
    expect(all.numbers).toContainEqual({ id: nlNumber.id, name: "Filter NL" });

    const filtered = variant((await open(`?number=${nlNumber.id}`)).data, "team", true);
    expect(filtered.query.number).toBe(nlNumber.id);
    expect(filtered.conversations.map((c) => c.ourNumber.number)).toEqual(["+31970102031"]);

    expect(await open(`?number=${crypto.randomUUID()}`)).toHaveStatus(404);
    expect(await open("?number=not-an-id")).toHaveStatus(404);
  });

  test("STOP to one of our numbers opts the contact out there only, as carriers apply it", async () => {
    const admin = await createUser({ role: "admin" });
    const other = await addOurNumber(admin, "+31970102032", "Opt-out NL");
    const contact = freshPhone();
    await textUs({ from: contact, to: DEFAULT, body: "Hello" });
    await textUs({ from: contact, to: other.number, body: "STOP" });

    const [onDefault, onOther] = await conversationsOf(contact);
    expect(onDefault!.optedOutAt).toBeNull();
    expect(onOther!.optedOutAt).not.toBeNull();
  });

  test("a member with conversations on two of our numbers gets a list of exactly those at /messages", async () => {
    const admin = await createUser({ role: "admin" });
    const other = await addOurNumber(admin, "+31970102033", "Member NL");
    const phone = freshPhone();
    const member = await createUser({ phone });
    const openInbox = () => callLoader(inboxIndex.loader, { url: "/messages", cookie: member.cookie });

    await textUs({ from: phone, to: DEFAULT });
    const [first] = await conversationsOf(phone);
    expect(await openInbox()).toHaveRedirect(`/messages/${first!.id}`);

    await textUs({ from: phone, to: other.number });
    await textUs({ from: freshPhone(), to: other.number });
    const list = variant((await openInbox()).data, "view", "list");
    expect(list.conversations.map((c) => c.ourNumber.label).sort()).toEqual(["Main number", "Member NL"]);
  });

  test("verification codes go out from the default number, whichever numbers exist", async () => {
    const admin = await createUser({ role: "admin" });
    await addOurNumber(admin, "+31970102034", "Codes NL");
    const member = await createUser();
    const phone = freshPhone();

    expect(await sendVerificationCode({ userId: member.id, phoneNumber: phone })).toMatchObject({ ok: true });
    expect(messagebird.sent.map(({ body }) => [body.originator, String(body.recipients)])).toEqual([[DEFAULT, phone]]);
  });
});

describe("numbers nobody added", () => {
  test("an SMS to an unknown number of ours is stored, and the number shows up unlisted for admins", async () => {
    const admin = await createUser({ role: "admin" });
    const contact = freshPhone();
    await textUs({ from: contact, to: "31970999999", body: "Anyone there?" });

    const [conversation] = await conversationsOf(contact);
    expect(conversation!.virtualNumber).toBe("+31970999999");
    const stored = await db.select().from(messages).where(eq(messages.conversationId, conversation!.id));
    expect(stored.map((m) => m.body)).toEqual(["Anyone there?"]);

    const page = await callLoader(teamNumbers.loader, { url: "/team/numbers", cookie: admin.cookie });
    expect(page.data.numbers.find((n) => n.number === "+31970999999")).toMatchObject({
      label: null,
      conversations: 1,
      archivedAt: null,
    });

    // Adding it is how an admin names it.
    await addOurNumber(admin, "+31970999999", "Found NL");
    expect(await numberRow("+31970999999")).toMatchObject({ label: "Found NL" });
  });
  test("an unlisted number is neither offered nor accepted as a sender for a new conversation, until an admin adds it", async () => {
    const admin = await createUser({ role: "admin" });
    const unlisted = `+3197099${String(Date.now()).slice(-5)}`;
    await textUs({ from: freshPhone(), to: unlisted });
    const number = (await numberRow(unlisted))!;
    expect(number.label).toBeNull();

    const stranger = freshPhone();
    const { page, outcome } = await startConversation(admin, { to: stranger, numberId: number.id, body: "Hi" });
    expect(page.numbers.map((n) => n.id)).not.toContain(number.id);
    expect(outcome).toHaveStatus(400);
    expect(formErrors(outcome, "numberId")).toEqual([expect.stringMatching(/has only received texts/)]);
    expect(await conversationsOf(stranger)).toEqual([]);
    expect(messagebird.sent).toEqual([]);

    await addOurNumber(admin, unlisted, "Found later");
    const added = await startConversation(admin, { to: stranger, numberId: number.id, body: "Hi" });
    expect(added.page.numbers.map((n) => n.id)).toContain(number.id);
    expect(added.outcome.location).toMatch(/^\/messages\//);
  });
});

describe("/team/numbers", () => {
  test("is for admins only: members and agents get a 404 for the page and every form", async () => {
    const admin = await createUser({ role: "admin" });
    const number = await addOurNumber(admin, "+31970102035", "Guarded");
    for (const role of ["member", "agent"] as const) {
      const user = await createUser({ role });
      expect(await callLoader(teamNumbers.loader, { url: "/team/numbers", cookie: user.cookie })).toHaveStatus(404);
      const forms: Record<string, string>[] = [
        { intent: "add", number: "+31970102036", label: "Sneaky" },
        { intent: "rename", numberId: number.id, label: "Sneaky" },
        { intent: "archive", numberId: number.id },
      ];
      for (const form of forms) expect(await manageNumbers(user, form)).toHaveStatus(404);
    }
    expect(await numberRow("+31970102035")).toMatchObject({ label: "Guarded", archivedAt: null });
    expect(await numberRow("+31970102036")).toBeUndefined();
  });

  test("adding validates the number and label, and refuses a duplicate with a field error, keeping what was typed", async () => {
    const admin = await createUser({ role: "admin" });

    const bad = await manageNumbers(admin, { intent: "add", number: "0612", label: "" });
    expect(bad).toHaveStatus(400);
    expect(formErrors(bad, "number")).toEqual([expect.stringMatching(/international format/)]);
    expect(formErrors(bad, "label")).toEqual([expect.stringMatching(/Give it a label/)]);

    const duplicate = await manageNumbers(admin, { intent: "add", number: "+44 7700 900000", label: "Again" });
    expect(duplicate).toHaveStatus(409);
    expect(formErrors(duplicate, "number")).toEqual(["This number is already one of ours."]);
    expect(typedValues(duplicate)).toMatchObject({ number: "+44 7700 900000", label: "Again" });
    expect(await numberRow(DEFAULT)).toMatchObject({ label: "Main number" });

    await addOurNumber(admin, "Birdline", "Alerts");
    expect(await numberRow("Birdline")).toMatchObject({ label: "Alerts" });
  });

  test("renaming and archiving need one of our numbers; the default cannot be archived", async () => {
    const admin = await createUser({ role: "admin" });
    const number = await addOurNumber(admin, "+31970102037", "Before");

    expect(await manageNumbers(admin, { intent: "rename", numberId: number.id, label: "After" })).toHaveRedirect(
      "/team/numbers",
    );
    expect(await numberRow(number.number)).toMatchObject({ label: "After" });

    const unknown = await manageNumbers(admin, { intent: "rename", numberId: crypto.randomUUID(), label: "X" });
    expect(unknown).toHaveStatus(404);

    const defaultRow = (await numberRow(DEFAULT))!;
    const refused = await manageNumbers(admin, { intent: "archive", numberId: defaultRow.id });
    expect(refused).toHaveStatus(409);
    expect(formErrors(refused, "numberId")).toEqual([expect.stringMatching(/verification codes/)]);
    expect(await numberRow(DEFAULT)).toMatchObject({ archivedAt: null });
  });

  test("an archived number starts no new conversations but still receives, and its conversations still get replies", async () => {
    const admin = await createUser({ role: "admin" });
    const number = await addOurNumber(admin, "+31970102038", "Retired");
    const known = freshPhone();
    await textUs({ from: known, to: number.number, body: "Before" });

    expect(await manageNumbers(admin, { intent: "archive", numberId: number.id })).toHaveRedirect("/team/numbers");

    const stranger = freshPhone();
    const { page, outcome } = await startConversation(admin, { to: stranger, numberId: number.id, body: "Hi" });
    expect(page.numbers.map((n) => n.id)).not.toContain(number.id);
    expect(outcome).toHaveStatus(400);
    expect(formErrors(outcome, "numberId")).toEqual([expect.stringMatching(/Retired is archived/)]);
    expect(typedValues(outcome)).toMatchObject({ to: stranger, body: "Hi" });
    expect(await conversationsOf(stranger)).toEqual([]);

    await textUs({ from: known, to: number.number, body: "After" });
    await textUs({ from: stranger, to: number.number, body: "New here" });
    const [conversation] = await conversationsOf(known);
    const bodies = await db.select().from(messages).where(eq(messages.conversationId, conversation!.id));
    expect(bodies.map((m) => m.body).sort()).toEqual(["After", "Before"]);
    expect(await conversationsOf(stranger)).toHaveLength(1);

    await reply(admin, conversation!.id, "Still answered");
    expect(messagebird.sent.at(-1)!.body).toMatchObject({ originator: number.number, recipients: [known] });
  });
});

describe("/messages/new", () => {
  test("starts a conversation on the chosen number, in any common format, and sends from that number once", async () => {
    const admin = await createUser({ role: "admin" });
    const agent = await createUser({ role: "agent" });
    const number = await addOurNumber(admin, "+31970102039", "Sales NL");

    const { page, outcome } = await startConversation(agent, {
      to: "06 5555 1201",
      numberId: number.id,
      body: "Your order is ready",
    });
    const defaultRow = (await numberRow(DEFAULT))!;
    expect(page.numbers[0]).toEqual({ id: defaultRow.id, name: "Main number", isDefault: true });
    const [conversation] = await conversationsOf("+31655551201");
    expect(outcome).toHaveRedirect(`/messages/${conversation!.id}`);
    expect(conversation).toMatchObject({ virtualNumber: "+31970102039" });
    expect(messagebird.sent.map(({ body }) => [body.originator, String(body.recipients), body.body])).toEqual([
      ["+31970102039", "+31655551201", "Your order is ready"],
    ]);

    // The same form again (a double click, a resubmitted POST): the same conversation, nothing sent twice.
    const again = await callAction(newConversation.action, {
      url: "/messages/new",
      cookie: agent.cookie,
      form: {
        idempotencyKey: page.idempotencyKey,
        to: "+31655551201",
        numberId: number.id,
        body: "Your order is ready",
      },
    });
    expect(again).toHaveRedirect(`/messages/${conversation!.id}`);
    expect(messagebird.sent).toHaveLength(1);
    expect(await conversationsOf("+31655551201")).toHaveLength(1);
  });

  test("texting a contact who already writes to that number continues their conversation", async () => {
    const agent = await createUser({ role: "agent" });
    const contact = freshPhone();
    const existing = await createConversation({ contact });
    const defaultRow = (await numberRow(DEFAULT))!;

    const { outcome } = await startConversation(agent, { to: contact, numberId: defaultRow.id, body: "Following up" });
    expect(outcome).toHaveRedirect(`/messages/${existing.id}`);
    expect(await conversationsOf(contact)).toHaveLength(1);
  });

  test("a contact who opted out of that number is refused with a form error, and nothing is sent", async () => {
    const admin = await createUser({ role: "admin" });
    const other = await addOurNumber(admin, "+31970102040", "Other NL");
    const contact = freshPhone();
    await createConversation({ contact, optedOut: true });
    const defaultRow = (await numberRow(DEFAULT))!;

    const { outcome } = await startConversation(admin, { to: contact, numberId: defaultRow.id, body: "Hello?" });
    expect(outcome).toHaveStatus(409);
    expect(formErrors(outcome)).toEqual([expect.stringMatching(/opted out/)]);
    expect(typedValues(outcome)).toMatchObject({ body: "Hello?" });
    expect(messagebird.sent).toHaveLength(0);

    // Opt-out is per number of ours: the other one may still text them.
    const { outcome: elsewhere } = await startConversation(admin, { to: contact, numberId: other.id, body: "Hi" });
    expect(elsewhere).toHaveRedirect();
    expect(messagebird.sent.map(({ body }) => body.originator)).toEqual(["+31970102040"]);
  });

  test("bad input is refused field by field and nothing is written", async () => {
    const agent = await createUser({ role: "agent" });
    const { outcome } = await startConversation(agent, { to: "12", numberId: crypto.randomUUID(), body: "Hi" });
    expect(outcome).toHaveStatus(400);
    expect(formErrors(outcome, "to")).toEqual([expect.stringMatching(/not a phone number/)]);

    const defaultRow = (await numberRow(DEFAULT))!;
    const empty = await startConversation(agent, { to: "+31655551202", numberId: defaultRow.id, body: " " });
    expect(formErrors(empty.outcome, "body")).toEqual(["Type a message first."]);

    const unknown = await startConversation(agent, { to: "+31655551202", numberId: crypto.randomUUID(), body: "Hi" });
    expect(formErrors(unknown.outcome, "numberId")).toEqual(["Pick one of our numbers."]);
    expect(await conversationsOf("+31655551202")).toEqual([]);
    expect(messagebird.sent).toHaveLength(0);
  });

  test("a refused first message leaves no empty conversation behind", async () => {
    const agent = await createUser({ role: "agent" });
    const defaultRow = (await numberRow(DEFAULT))!;
    // Their conversation on another number of ours stays.
    await createConversation({ contact: "+31655551203", ourNumber: "+31970000000" });
    // Twenty a minute per sender: the 21st is refused before anything is written.
    const { takeLimits } = await import("~/.server/platform/rate-limit");
    const { REPLIES_PER_SENDER_PER_MINUTE } = await import("~/.server/conversations/reply-limits");
    for (let i = 0; i < REPLIES_PER_SENDER_PER_MINUTE.max; i++)
      await takeLimits([[REPLIES_PER_SENDER_PER_MINUTE, agent.id]]);

    const { outcome } = await startConversation(agent, { to: "+31655551203", numberId: defaultRow.id, body: "Hi" });
    expect(outcome).toHaveStatus(429);
    expect(
      await db
        .select()
        .from(conversations)
        .where(and(eq(conversations.contactNumber, "+31655551203"), eq(conversations.virtualNumber, DEFAULT))),
    ).toEqual([]);
    expect(await conversationsOf("+31655551203")).toHaveLength(1);
  });

  test("is for staff: a member gets a 404", async () => {
    const member = await createUser({ phone: freshPhone() });
    expect(await callLoader(newConversation.loader, { url: "/messages/new", cookie: member.cookie })).toHaveStatus(404);
    const defaultRow = (await numberRow(DEFAULT))!;
    expect(
      await callAction(newConversation.action, {
        url: "/messages/new",
        cookie: member.cookie,
        form: { to: freshPhone(), numberId: defaultRow.id, body: "Hi", idempotencyKey: crypto.randomUUID() },
      }),
    ).toHaveStatus(404);
  });
});
