import { randomUUID } from "node:crypto";
import { eq, inArray } from "drizzle-orm";
import { describe, expect, test, vi } from "vitest";
import { db } from "~/.server/platform/db/client";
import {
  contacts,
  conversationReads,
  conversations,
  messages,
  notes,
  simulatedSms,
  webhookRejections,
} from "~/.server/platform/db/schema";
import { recordRejection } from "~/.server/webhooks/rejections";
import { countUnreadConversations } from "~/.server/conversations/inbox";
import { subscribeAsViewer } from "~/.server/conversations/live-feed";
import { receiveInbound } from "~/.server/conversations/inbound";
import type { InboxEvent } from "~/.server/platform/event-bus";
import * as thread from "~/routes/messages.$conversationId";
import * as inbox from "~/routes/messages";
import * as inboxIndex from "~/routes/messages._index";
import { useMessageBirdMock } from "../mocks/messagebird";
import { createConversation, createMessage, createUser, freshPhone, type Conversation } from "../support/factories";
import { callAction, callLoader, formErrors, typedValues, variant } from "../support/route-call";

// Sends go through the real MessageBird SDK (intercepted by MSW), so "nothing was sent" is what MessageBird would see.
// The erase log line is read from stdout.
vi.hoisted(() => {
  process.env.MESSAGEBIRD_API_KEY = "test_access_key";
  process.env.LOG_LEVEL = "info";
});

const messagebird = useMessageBirdMock();

const SECOND_NUMBER = "+3197010203040";

const openThread = (cookie: string, conversationId: string) =>
  callLoader(thread.loader, { url: `/messages/${conversationId}`, cookie, params: { conversationId } });

const post = (cookie: string, conversationId: string, form: Record<string, string>) =>
  callAction(thread.action, { url: `/messages/${conversationId}`, cookie, params: { conversationId }, form });

const openInbox = async (cookie: string, query = "") =>
  variant((await callLoader(inbox.loader, { url: `/messages${query}`, cookie })).data, "team", true);

async function memberWithConversation(name?: string) {
  const phone = freshPhone();
  const member = await createUser({ phone, name });
  const conversation = await createConversation({ contact: phone, userId: member.id });
  return { member, conversation, phone };
}

function jsonLines(text: string): Record<string, unknown>[] {
  try {
    return [JSON.parse(text) as Record<string, unknown>];
  } catch {
    return [];
  }
}

describe("internal notes", () => {
  test("a note is stored for the team, shown in the thread in time order with its author, and never sent", async () => {
    const agent = await createUser({ role: "agent", name: "Ann Agent" });
    const { conversation } = await memberWithConversation();
    await createMessage(conversation, { body: "Where is my parcel?" });

    const added = await post(agent.cookie, conversation.id, { intent: "add-note", body: "Called DHL, it is late" });
    expect(added).toHaveRedirect(`/messages/${conversation.id}`);
    await createMessage(conversation, { body: "Any news?" });

    const { data } = await openThread(agent.cookie, conversation.id);
    expect(data.timeline.flatMap((item) => (item.type === "system" ? [] : [[item.type, item.body]]))).toEqual([
      ["message", "Where is my parcel?"],
      ["note", "Called DHL, it is late"],
      ["message", "Any news?"],
    ]);
    expect(data.timeline[1]).toMatchObject({ authorLabel: "You", own: true });
    const other = await createUser({ role: "admin", name: "Ada Admin" });
    const seenByOther = (await openThread(other.cookie, conversation.id)).data.timeline[1];
    expect(seenByOther).toMatchObject({ type: "note", authorLabel: "Ann Agent", own: false });

    expect(messagebird.sent).toEqual([]);
    const rows = await db.select().from(messages).where(eq(messages.conversationId, conversation.id));
    expect(rows.map((row) => row.body)).not.toContain("Called DHL, it is late");
  });

  test("the member whose number it is never receives a note, nor the contact's details", async () => {
    const agent = await createUser({ role: "agent" });
    const { member, conversation } = await memberWithConversation();
    await post(agent.cookie, conversation.id, { intent: "add-note", body: "Secret: refund approved" });
    await post(agent.cookie, conversation.id, { intent: "update-contact", name: "Grumpy Gus", note: "Shouts a lot" });

    const asMember = await openThread(member.cookie, conversation.id);
    expect(asMember).toHaveStatus(200);
    const answer = JSON.stringify(asMember.data);
    for (const secret of ["Secret: refund approved", "Grumpy Gus", "Shouts a lot"])
      expect(answer).not.toContain(secret);
    expect(asMember.data.contact).toBeNull();
    expect(asMember.data.timeline.filter((item) => item.type === "note")).toEqual([]);
    // The same page as the team sees it does carry them: the test would notice a leak.
    expect(JSON.stringify((await openThread(agent.cookie, conversation.id)).data)).toContain("Secret: refund approved");
  });

  test("members cannot add notes or edit a contact: 404, nothing stored", async () => {
    const { member, conversation } = await memberWithConversation();
    expect(await post(member.cookie, conversation.id, { intent: "add-note", body: "hi" })).toHaveStatus(404);
    expect(await post(member.cookie, conversation.id, { intent: "update-contact", name: "Me" })).toHaveStatus(404);
    expect(await db.select().from(notes).where(eq(notes.conversationId, conversation.id))).toEqual([]);
    expect(await db.select().from(contacts).where(eq(contacts.number, conversation.contactNumber))).toEqual([]);
  });

  test("an empty note is refused with a field error", async () => {
    const agent = await createUser({ role: "agent" });
    const conversation = await createConversation();
    const refused = await post(agent.cookie, conversation.id, { intent: "add-note", body: "   " });
    expect(refused).toHaveStatus(400);
    expect(formErrors(refused, "body")).toEqual(["Write the note first."]);
    expect(await db.select().from(notes).where(eq(notes.conversationId, conversation.id))).toEqual([]);
  });

  test("a note is not unread for its author", async () => {
    const agent = await createUser({ role: "agent" });
    const conversation = await createConversation();
    await createMessage(conversation, { body: "hello" });
    await openThread(agent.cookie, conversation.id);
    const viewer = { id: agent.id, role: "agent" as const, phoneNumber: null };
    const unreadBefore = await countUnreadConversations(viewer);
    await post(agent.cookie, conversation.id, { intent: "add-note", body: "Looked into it" });

    const row = (await openInbox(agent.cookie)).conversations.find((c) => c.id === conversation.id);
    expect(row?.unread).toBe(0);
    const views = await openInbox(agent.cookie, "?view=unread");
    expect(views.conversations.map((c) => c.id)).not.toContain(conversation.id);
    expect(await countUnreadConversations(viewer)).toBe(unreadBefore);
  });

  test("staff delete their own notes; someone else's note or an unknown id is a 404", async () => {
    const [ann, bob] = await Promise.all([createUser({ role: "agent" }), createUser({ role: "agent" })]);
    const conversation = await createConversation();
    await post(ann.cookie, conversation.id, { intent: "add-note", body: "Ann's note" });
    const [note] = await db.select().from(notes).where(eq(notes.conversationId, conversation.id));

    expect(await post(bob.cookie, conversation.id, { intent: "delete-note", noteId: note!.id })).toHaveStatus(404);
    expect(
      await post(ann.cookie, conversation.id, { intent: "delete-note", noteId: crypto.randomUUID() }),
    ).toHaveStatus(404);
    expect(await post(ann.cookie, conversation.id, { intent: "delete-note", noteId: "not-an-id" })).toHaveStatus(404);
    const elsewhere = await createConversation();
    expect(await post(ann.cookie, elsewhere.id, { intent: "delete-note", noteId: note!.id })).toHaveStatus(404);
    expect(await db.select().from(notes).where(eq(notes.id, note!.id))).toHaveLength(1);

    expect(await post(ann.cookie, conversation.id, { intent: "delete-note", noteId: note!.id })).toHaveRedirect(
      `/messages/${conversation.id}`,
    );
    expect(await db.select().from(notes).where(eq(notes.id, note!.id))).toEqual([]);
  });

  test("the team hears about a new note live; the member hears nothing of it", async () => {
    const agent = await createUser({ role: "agent" });
    const { member, conversation, phone } = await memberWithConversation();
    const heard = { member: [] as InboxEvent[], agent: [] as InboxEvent[] };
    const stops = await Promise.all([
      subscribeAsViewer(member.id, { onEvents: (events) => heard.member.push(...events), onResync: () => {} }),
      subscribeAsViewer(agent.id, { onEvents: (events) => heard.agent.push(...events), onResync: () => {} }),
    ]);
    try {
      await post(agent.cookie, conversation.id, { intent: "add-note", body: "Internal" });
      await vi.waitFor(() => expect(heard.agent.map((e) => e.kind)).toContain("note"));
      // Events arrive in order: once the member hears of a later SMS, any note event would have come first.
      const sms = await receiveInbound({ from: phone, to: conversation.virtualNumber, body: "hello" });
      if (sms.status !== "stored") throw new Error("expected a stored message");
      await vi.waitFor(() => expect(heard.member.map((e) => e.messageId)).toContain(sms.id));
      expect(heard.member).toEqual([{ kind: "message", conversationId: conversation.id, messageId: sms.id }]);
    } finally {
      for (const stop of stops) stop();
    }
  });
});

describe("contact details", () => {
  test("a name replaces the number in the team's list and thread, on every one of our numbers", async () => {
    const agent = await createUser({ role: "agent" });
    const contact = freshPhone();
    const [first, second] = [
      await createConversation({ contact }),
      await createConversation({ contact, ourNumber: SECOND_NUMBER }),
    ];
    const saved = await post(agent.cookie, first.id, {
      intent: "update-contact",
      name: "  Maria Jansen ",
      note: "VIP, prefers Dutch",
    });
    expect(saved).toHaveRedirect(`/messages/${first.id}`);

    const list = await openInbox(agent.cookie);
    for (const conversation of [first, second]) {
      expect(list.conversations.find((c) => c.id === conversation.id)).toMatchObject({
        contactName: "Maria Jansen",
        contactNumber: contact,
      });
    }
    const { data } = await openThread(agent.cookie, second.id);
    expect(data.contact).toEqual({ name: "Maria Jansen", note: "VIP, prefers Dutch", displayName: "Maria Jansen" });

    // Emptied fields clear it: the number is what shows again.
    await post(agent.cookie, first.id, { intent: "update-contact", name: "", note: "" });
    expect((await openThread(agent.cookie, first.id)).data.contact).toEqual({
      name: null,
      note: null,
      displayName: null,
    });
  });

  test("a member's own name is the default; a name the team gives replaces it", async () => {
    const agent = await createUser({ role: "agent" });
    const { conversation } = await memberWithConversation("Piet Pieters");
    const row = async () => (await openInbox(agent.cookie)).conversations.find((c) => c.id === conversation.id);
    expect(await row()).toMatchObject({ contactName: "Piet Pieters" });
    await post(agent.cookie, conversation.id, { intent: "update-contact", name: "Piet (warehouse)" });
    expect(await row()).toMatchObject({ contactName: "Piet (warehouse)" });
  });

  test("a member who texts two of our numbers gets a list of both without the team's name for them", async () => {
    const agent = await createUser({ role: "agent" });
    const { member, conversation, phone } = await memberWithConversation("Mia Member");
    const second = await createConversation({ contact: phone, userId: member.id, ourNumber: SECOND_NUMBER });
    await post(agent.cookie, conversation.id, { intent: "update-contact", name: "Difficult Dora" });

    const page = await callLoader(inboxIndex.loader, { url: "/messages", cookie: member.cookie });
    const list = variant(page.data, "view", "list");
    expect(list.conversations.map((c) => c.id).sort()).toEqual([conversation.id, second.id].sort());
    expect(list.conversations.map((c) => c.contactName)).toEqual([null, null]);
    expect(JSON.stringify(page.data)).not.toMatch(/Difficult Dora|Mia Member/);
  });

  test("contact names are searchable, as shown: the team's name, else the member's", async () => {
    const agent = await createUser({ role: "agent" });
    const named = await createConversation();
    const onSecond = await createConversation({ contact: named.contactNumber, ourNumber: SECOND_NUMBER });
    const { conversation: owned } = await memberWithConversation("Klaas Vaak");
    const { conversation: renamed } = await memberWithConversation("Henk Oldname");
    await post(agent.cookie, named.id, { intent: "update-contact", name: "Zwaantje Zonnebloem" });
    await post(agent.cookie, renamed.id, { intent: "update-contact", name: "Henk Newname" });

    const found = async (q: string) =>
      (await openInbox(agent.cookie, `?q=${encodeURIComponent(q)}`)).conversations.map((c) => c.id).sort();
    expect(await found("zonnebloem")).toEqual([named.id, onSecond.id].sort());
    expect(await found("Klaas")).toEqual([owned.id]);
    expect(await found("Newname")).toEqual([renamed.id]);
    expect(await found("Oldname")).toEqual([]);
    const counted = await callLoader(inbox.loader, { url: "/messages?q=zonnebloem", cookie: agent.cookie });
    expect(variant(counted.data, "team", true).counts.all).toBe(2);
  });

  test("a name or note over the limit is refused with a field error, the typed values kept, nothing stored", async () => {
    const agent = await createUser({ role: "agent" });
    const conversation = await createConversation();
    const name = "N".repeat(81);
    const note = "Fine note";
    const refused = await post(agent.cookie, conversation.id, { intent: "update-contact", name, note });
    expect(refused).toHaveStatus(400);
    expect(formErrors(refused, "name")).toEqual(["Keep the name to 80 characters."]);
    expect(typedValues(refused)).toMatchObject({ name, note });

    const longNote = await post(agent.cookie, conversation.id, { intent: "update-contact", note: "x".repeat(2001) });
    expect(formErrors(longNote, "note")).toEqual(["Keep the note to 2,000 characters."]);
    expect(await db.select().from(contacts).where(eq(contacts.number, conversation.contactNumber))).toEqual([]);

    expect(
      await post(agent.cookie, conversation.id, { intent: "update-contact", name: "N".repeat(80) }),
    ).toHaveRedirect(`/messages/${conversation.id}`);
  });
});

describe("erasing a contact", () => {
  /** A contact with conversations on two of our numbers, messages, a note, read marks and details. */
  async function contactWithHistory(agentCookie: string) {
    const { member, phone } = await memberWithConversation("Erik Eraseme");
    const [first] = await db.select().from(conversations).where(eq(conversations.contactNumber, phone));
    const second = await createConversation({ contact: phone, ourNumber: SECOND_NUMBER });
    for (const conversation of [first!, second]) {
      await createMessage(conversation, { body: `Private message ${conversation.id}` });
      await post(agentCookie, conversation.id, { intent: "add-note", body: "A note about them" });
      await openThread(agentCookie, conversation.id);
    }
    await post(agentCookie, first!.id, { intent: "update-contact", name: "Erik", note: "Wants out" });
    return { member, phone, conversations: [first!, second] };
  }

  async function rowsOf(conversationList: Conversation[], phone: string) {
    const ids = conversationList.map((c) => c.id);
    return {
      conversations: await db.select().from(conversations).where(eq(conversations.contactNumber, phone)),
      messages: await db.select().from(messages).where(inArray(messages.conversationId, ids)),
      notes: await db.select().from(notes).where(inArray(notes.conversationId, ids)),
      reads: await db.select().from(conversationReads).where(inArray(conversationReads.conversationId, ids)),
      contact: await db.select().from(contacts).where(eq(contacts.number, phone)),
    };
  }

  test("removes every row of that contact on all our numbers, and nothing of anyone else's; logged without bodies", async () => {
    const [admin, agent] = [await createUser({ role: "admin" }), await createUser({ role: "agent" })];
    const erased = await contactWithHistory(agent.cookie);
    const kept = await contactWithHistory(agent.cookie);
    const keptBefore = await rowsOf(kept.conversations, kept.phone);
    const output: string[] = [];
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => (output.push(String(chunk)), true));

    // Typed as a person would, in national format with spaces.
    const typed = `0${erased.phone.slice(3, 4)} ${erased.phone.slice(4)}`;
    const outcome = await post(admin.cookie, erased.conversations[0]!.id, { intent: "erase", confirmNumber: typed });
    stdout.mockRestore();
    expect(outcome).toHaveRedirect("/messages?erased=1");

    expect(await rowsOf(erased.conversations, erased.phone)).toEqual({
      conversations: [],
      messages: [],
      notes: [],
      reads: [],
      contact: [],
    });
    expect(await rowsOf(kept.conversations, kept.phone)).toEqual(keptBefore);

    const line = output.flatMap(jsonLines).find((l) => l.message === "contact erased");
    expect(line).toMatchObject({ by: admin.id, conversations: 2, messages: 2, notes: 2 });
    expect(JSON.stringify(line)).not.toContain("Private message");
    expect(JSON.stringify(line)).not.toContain(erased.phone);
  });

  test("also erases what the webhook rejection log and the simulator's handset kept of them", async () => {
    const admin = await createUser({ role: "admin" });
    const [erased, kept] = [await contactWithHistory(admin.cookie), await contactWithHistory(admin.cookie)];
    // A refused webhook keeps an excerpt of what it carried: MessageBird writes numbers without the "+".
    const refuse = (phone: string, form: boolean) =>
      recordRejection({
        route: "/webhooks/messagebird",
        status: 401,
        reason: `wrong secret ${randomUUID()}`,
        sourceIp: "203.0.113.9",
        url: new URL("http://localhost:3000/webhooks/messagebird"),
        body: new TextEncoder().encode(
          form
            ? new URLSearchParams({ originator: phone, payload: "Private refused text" }).toString()
            : JSON.stringify({ originator: phone.slice(1), payload: "Private refused text" }),
        ),
      });
    for (const contact of [erased, kept]) {
      await refuse(contact.phone, true);
      await refuse(contact.phone, false);
      await db.insert(simulatedSms).values({
        providerMessageId: randomUUID(),
        fromNumber: SECOND_NUMBER,
        toNumber: contact.phone,
        body: "Private sent text",
      });
    }
    const excerpts = async (phone: string) =>
      (await db.select({ excerpt: webhookRejections.excerpt }).from(webhookRejections))
        .map((row) => row.excerpt ?? "")
        .filter((excerpt) => excerpt.includes(phone.slice(1)));
    const handset = (phone: string) => db.select().from(simulatedSms).where(eq(simulatedSms.toNumber, phone));
    expect(await excerpts(erased.phone)).toHaveLength(2);

    const outcome = await post(admin.cookie, erased.conversations[0]!.id, {
      intent: "erase",
      confirmNumber: erased.phone,
    });
    expect(outcome).toHaveRedirect("/messages?erased=1");

    expect(await excerpts(erased.phone)).toEqual([]);
    expect(await handset(erased.phone)).toEqual([]);
    expect(await excerpts(kept.phone)).toHaveLength(2);
    expect(await handset(kept.phone)).toHaveLength(1);
  });

  test("a wrong confirmation is a field error and erases nothing", async () => {
    const admin = await createUser({ role: "admin" });
    const contact = await contactWithHistory(admin.cookie);
    const before = await rowsOf(contact.conversations, contact.phone);
    const conversationId = contact.conversations[0]!.id;
    for (const confirmNumber of [freshPhone(), "", "not a number"]) {
      const refused = await post(admin.cookie, conversationId, { intent: "erase", confirmNumber });
      expect(refused).toHaveStatus(400);
      expect(formErrors(refused, "confirmNumber").length).toBeGreaterThan(0);
    }
    expect(await rowsOf(contact.conversations, contact.phone)).toEqual(before);
  });

  test("agents and members get a 404 and nothing is erased", async () => {
    const agent = await createUser({ role: "agent" });
    const contact = await contactWithHistory(agent.cookie);
    const before = await rowsOf(contact.conversations, contact.phone);
    const conversationId = contact.conversations[0]!.id;
    for (const cookie of [agent.cookie, contact.member.cookie]) {
      expect(await post(cookie, conversationId, { intent: "erase", confirmNumber: contact.phone })).toHaveStatus(404);
    }
    expect(await rowsOf(contact.conversations, contact.phone)).toEqual(before);
  });
});
