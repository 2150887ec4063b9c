import { eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { db } from "~/.server/platform/db/client";
import { labels } from "~/.server/platform/db/schema";
import { labelsOf } from "~/.server/conversations/labels";
import * as teamLabels from "~/routes/team.labels";
import * as thread from "~/routes/messages.$conversationId";
import * as inbox from "~/routes/messages";
import { createConversation, createMessage, createUser, freshPhone } from "../support/factories";
import { callAction, callLoader, formErrors, typedValues, variant } from "../support/route-call";

const openLabels = (cookie: string) => callLoader(teamLabels.loader, { url: "/team/labels", cookie });
const postLabels = (cookie: string, form: Record<string, string>) =>
  callAction(teamLabels.action, { url: "/team/labels", cookie, form });
const postThread = (cookie: string, conversationId: string, form: Record<string, string>) =>
  callAction(thread.action, { url: `/messages/${conversationId}`, cookie, params: { conversationId }, form });
const openThread = (cookie: string, conversationId: string) =>
  callLoader(thread.loader, { url: `/messages/${conversationId}`, cookie, params: { conversationId } });
const listed = async (cookie: string, query: string) => {
  const page = variant((await callLoader(inbox.loader, { url: `/messages${query}`, cookie })).data, "team", true);
  return page.conversations.map((conversation) => conversation.id);
};

let labelSequence = 0;
async function createLabel(name = `label${++labelSequence}`, colour = "blue") {
  const [label] = await db.insert(labels).values({ name, colour }).returning();
  return label!;
}

describe("/team/labels", () => {
  test("an admin creates, renames, recolours and deletes a label", async () => {
    const admin = await createUser({ role: "admin" });
    expect(await postLabels(admin.cookie, { intent: "create", name: "Billing", colour: "green" })).toHaveRedirect(
      "/team/labels",
    );
    const created = (await openLabels(admin.cookie)).data.labels.find((label) => label.name === "Billing")!;
    expect(created).toMatchObject({ colour: "green", conversations: 0 });

    await postLabels(admin.cookie, { intent: "update", labelId: created.id, name: "Invoices", colour: "purple" });
    const [renamed] = await db.select().from(labels).where(eq(labels.id, created.id));
    expect(renamed).toMatchObject({ name: "Invoices", colour: "purple" });

    const conversation = await createConversation();
    const agent = await createUser({ role: "agent" });
    await postThread(agent.cookie, conversation.id, { intent: "label", labelId: created.id, on: "1" });
    expect(await postLabels(admin.cookie, { intent: "delete", labelId: created.id })).toHaveRedirect("/team/labels");
    expect(await db.select().from(labels).where(eq(labels.id, created.id))).toEqual([]);
    expect((await labelsOf([conversation.id])).size).toBe(0);
  });

  test("a name the team has already, however capitalised, is a field error with the typed values kept", async () => {
    const admin = await createUser({ role: "admin" });
    await createLabel("Urgent");
    const answer = await postLabels(admin.cookie, { intent: "create", name: "URGENT", colour: "red" });
    expect(answer).toHaveStatus(409);
    expect(formErrors(answer, "name")).toEqual(["There is a label with this name already."]);
    expect(typedValues(answer)).toMatchObject({ name: "URGENT", colour: "red" });
  });

  test("two words, or a colour outside the palette, are field errors", async () => {
    const admin = await createUser({ role: "admin" });
    const answer = await postLabels(admin.cookie, { intent: "create", name: "two words", colour: "#ff0000" });
    expect(answer).toHaveStatus(400);
    expect(formErrors(answer, "name")).toHaveLength(1);
    expect(formErrors(answer, "colour")).toEqual(["Choose one of the colours."]);
  });

  test("agents and members get a 404, for the page and its actions", async () => {
    for (const role of ["agent", "member"] as const) {
      const user = await createUser({ role });
      expect(await openLabels(user.cookie)).toHaveStatus(404);
      expect(await postLabels(user.cookie, { intent: "create", name: "sneaky", colour: "red" })).toHaveStatus(404);
    }
    expect(await db.select().from(labels).where(eq(labels.name, "sneaky"))).toEqual([]);
  });
});

describe("labels on a conversation", () => {
  test("an agent adds and removes a label; the thread shows it; the member's own thread never does", async () => {
    const phone = freshPhone();
    const member = await createUser({ phone });
    const conversation = await createConversation({ contact: phone, userId: member.id });
    const agent = await createUser({ role: "agent" });
    const label = await createLabel();

    const added = await postThread(agent.cookie, conversation.id, { intent: "label", labelId: label.id, on: "1" });
    expect(added).toHaveRedirect(`/messages/${conversation.id}`);
    // Twice is the same as once.
    await postThread(agent.cookie, conversation.id, { intent: "label", labelId: label.id, on: "1" });
    expect((await openThread(agent.cookie, conversation.id)).data.labels?.on).toEqual([
      { id: label.id, name: label.name, colour: label.colour },
    ]);
    expect((await openThread(member.cookie, conversation.id)).data.labels).toBeNull();

    await postThread(agent.cookie, conversation.id, { intent: "label", labelId: label.id, on: "0" });
    expect((await openThread(agent.cookie, conversation.id)).data.labels?.on).toEqual([]);
  });

  test("a member gets a 404 even on their own conversation, and nothing changes", async () => {
    const phone = freshPhone();
    const member = await createUser({ phone });
    const conversation = await createConversation({ contact: phone, userId: member.id });
    const label = await createLabel();
    const answer = await postThread(member.cookie, conversation.id, { intent: "label", labelId: label.id, on: "1" });
    expect(answer).toHaveStatus(404);
    expect((await labelsOf([conversation.id])).size).toBe(0);
  });

  test("an unknown label is a 404; a form without `on` is a 400", async () => {
    const agent = await createUser({ role: "agent" });
    const conversation = await createConversation();
    const unknown = { intent: "label", labelId: crypto.randomUUID(), on: "1" };
    expect(await postThread(agent.cookie, conversation.id, unknown)).toHaveStatus(404);
    const label = await createLabel();
    expect(await postThread(agent.cookie, conversation.id, { intent: "label", labelId: label.id })).toHaveStatus(400);
  });
});

describe("the list by label", () => {
  async function labelled() {
    const agent = await createUser({ role: "agent" });
    const billing = await createLabel(`Billing${++labelSequence}`);
    const vip = await createLabel();
    const [both, billed, plain] = await Promise.all([createConversation(), createConversation(), createConversation()]);
    for (const conversation of [both, billed, plain])
      await createMessage(conversation, { body: `refund please ${labelSequence}` });
    for (const [conversation, label] of [
      [both, billing],
      [both, vip],
      [billed, billing],
    ] as const)
      await postThread(agent.cookie, conversation.id, { intent: "label", labelId: label.id, on: "1" });
    return { agent, billing, vip, both, billed, plain };
  }

  test("?label= lists only conversations carrying it, and rows show their labels", async () => {
    const { agent, billing, vip, both, billed, plain } = await labelled();
    const ids = await listed(agent.cookie, `?label=${billing.id}`);
    expect(ids.sort()).toEqual([both.id, billed.id].sort());
    expect(ids).not.toContain(plain.id);

    const page = variant(
      (await callLoader(inbox.loader, { url: `/messages?label=${vip.id}`, cookie: agent.cookie })).data,
      "team",
      true,
    );
    expect(page.conversations.map((row) => [row.id, row.labels?.map((label) => label.name).sort()])).toEqual([
      [both.id, [billing.name, vip.name].sort()],
    ]);
    expect(page.label).toMatchObject({ id: vip.id });
  });

  test("?label= combines with the status filter", async () => {
    const { agent, billing, both } = await labelled();
    await postThread(agent.cookie, both.id, { intent: "resolve" });
    expect(await listed(agent.cookie, `?label=${billing.id}&status=resolved`)).toEqual([both.id]);
  });

  test("an unknown label is a 404", async () => {
    const agent = await createUser({ role: "agent" });
    expect(
      await callLoader(inbox.loader, { url: `/messages?label=${crypto.randomUUID()}`, cookie: agent.cookie }),
    ).toHaveStatus(404);
  });

  test("search understands label:name, any capitalisation, alone or with words", async () => {
    const { agent, billing, vip, both, billed, plain } = await labelled();
    const byName = await listed(agent.cookie, `?q=${encodeURIComponent(`label:${billing.name.toLowerCase()}`)}`);
    expect(byName.sort()).toEqual([both.id, billed.id].sort());
    expect(byName).not.toContain(plain.id);

    const withWords = await listed(agent.cookie, `?q=${encodeURIComponent(`refund label:${vip.name.toUpperCase()}`)}`);
    expect(withWords).toEqual([both.id]);
    expect(await listed(agent.cookie, `?q=${encodeURIComponent("label:nosuchlabel")}`)).toEqual([]);
  });
});
