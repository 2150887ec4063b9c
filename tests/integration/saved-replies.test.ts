import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, test, vi } from "vitest";
import { runDueJobs } from "~/.server/background";
import { db } from "~/.server/platform/db/client";
import { savedReplies, users } from "~/.server/platform/db/schema";
import * as thread from "~/routes/messages.$conversationId";
import * as replies from "~/routes/settings.replies";
import { useMessageBirdMock } from "../mocks/messagebird";
import { createConversation, createSavedReply, createUser, freshPhone } from "../support/factories";
import { callAction, callLoader, formErrors, typedValues } from "../support/route-call";

// Sends go through MessageBird's REST API (intercepted by MSW), not the simulator.
vi.hoisted(() => {
  process.env.MESSAGEBIRD_API_KEY = "test_access_key";
});

const messagebird = useMessageBirdMock();

// One list for the whole team: each test starts from an empty one.
beforeEach(async () => {
  await db.delete(savedReplies);
});

const openReplies = (cookie: string) => callLoader(replies.loader, { url: "/settings/replies", cookie });
const repliesAction = (cookie: string, form: Record<string, string>) =>
  callAction(replies.action, { url: "/settings/replies", cookie, form });

const openThread = (cookie: string, conversationId: string, query = "") =>
  callLoader(thread.loader, { url: `/messages/${conversationId}${query}`, cookie, params: { conversationId } });
const postToThread = (cookie: string, conversationId: string, form: Record<string, string>) =>
  callAction(thread.action, { url: `/messages/${conversationId}`, cookie, params: { conversationId }, form });

const storedReplies = () => db.select().from(savedReplies);

/** A member who gave their name and verified their number, and their conversation. */
async function namedContact(name?: string) {
  const phone = freshPhone();
  const member = await createUser({ phone, name });
  return { member, conversation: await createConversation({ contact: phone, userId: member.id }) };
}

describe("/settings/replies", () => {
  test("an agent adds, changes and deletes a saved reply the whole team shares", async () => {
    const agent = await createUser({ role: "agent", name: "Ann Agent" });
    const colleague = await createUser({ role: "admin", name: "Carl Admin" });
    expect((await openReplies(agent.cookie)).data.replies).toEqual([]);

    const created = await repliesAction(agent.cookie, {
      intent: "create",
      title: "  Opening hours ",
      body: "Hi {name}, we are open 9–17. {agent}",
    });
    expect(created).toHaveRedirect("/settings/replies");
    const [stored] = await storedReplies();
    expect(stored).toMatchObject({
      title: "Opening hours",
      body: "Hi {name}, we are open 9–17. {agent}",
      createdById: agent.id,
    });

    // Team-wide: a colleague sees it, with who wrote it, and may change it.
    expect((await openReplies(colleague.cookie)).data.replies).toEqual([
      expect.objectContaining({ id: stored!.id, title: "Opening hours", createdBy: "Ann Agent" }),
    ]);
    const updated = await repliesAction(colleague.cookie, {
      intent: "update",
      replyId: stored!.id,
      title: "Hours",
      body: "We are open 8–18.",
    });
    expect(updated).toHaveRedirect("/settings/replies");
    expect(await storedReplies()).toEqual([
      expect.objectContaining({ id: stored!.id, title: "Hours", body: "We are open 8–18.", createdById: agent.id }),
    ]);

    expect(await repliesAction(agent.cookie, { intent: "delete", replyId: stored!.id })).toHaveRedirect(
      "/settings/replies",
    );
    expect(await storedReplies()).toEqual([]);
  });

  test("replies are listed by title, whatever the case", async () => {
    const agent = await createUser({ role: "agent" });
    await createSavedReply(agent, { title: "zebra", body: "z" });
    await createSavedReply(agent, { title: "Apple", body: "a" });
    await createSavedReply(agent, { title: "mango", body: "m" });
    const titles = (await openReplies(agent.cookie)).data.replies.map((reply) => reply.title);
    expect(titles).toEqual(["Apple", "mango", "zebra"]);
  });

  test("a member gets a 404 for the page and for every intent, and nothing changes", async () => {
    const agent = await createUser({ role: "agent" });
    const member = await createUser({ phone: freshPhone() });
    const reply = await createSavedReply(agent, { title: "Kept", body: "Kept as it was" });

    expect(await openReplies(member.cookie)).toHaveStatus(404);
    const forms: Record<string, string>[] = [
      { intent: "create", title: "Mine", body: "Mine" },
      { intent: "update", replyId: reply.id, title: "Changed", body: "Changed" },
      { intent: "delete", replyId: reply.id },
    ];
    for (const form of forms) {
      expect(await repliesAction(member.cookie, form)).toHaveStatus(404);
    }
    expect(await storedReplies()).toEqual([expect.objectContaining({ id: reply.id, title: "Kept" })]);
  });

  test("a refused form says why and keeps what was typed; nothing is stored", async () => {
    const agent = await createUser({ role: "agent" });
    const tooLongTitle = "T".repeat(81);
    const created = await repliesAction(agent.cookie, { intent: "create", title: tooLongTitle, body: "   " });
    expect(created).toHaveStatus(400);
    expect(formErrors(created, "title")).toEqual(["Keep the title to 80 characters."]);
    expect(formErrors(created, "body")).toEqual(["Write the text of the reply."]);
    expect(typedValues(created)).toMatchObject({ title: tooLongTitle, body: "   " });

    const tooLongBody = "x".repeat(1_531);
    const reply = await createSavedReply(agent, { title: "Short", body: "Short" });
    const updated = await repliesAction(agent.cookie, {
      intent: "update",
      replyId: reply.id,
      title: " ",
      body: tooLongBody,
    });
    expect(updated).toHaveStatus(400);
    expect(updated.data.replyId).toBe(reply.id);
    expect(formErrors(updated, "title")).toEqual(["Give it a short title, e.g. Opening hours."]);
    expect(formErrors(updated, "body")).toEqual(["That is more than 10 SMS. Shorten it a little."]);
    expect(typedValues(updated)).toMatchObject({ title: " ", body: tooLongBody });
    expect(await storedReplies()).toEqual([expect.objectContaining({ title: "Short", body: "Short" })]);
  });

  test("changing or deleting a reply that does not exist is a 404", async () => {
    const agent = await createUser({ role: "agent" });
    for (const replyId of [crypto.randomUUID(), "not-an-id"]) {
      expect(await repliesAction(agent.cookie, { intent: "update", replyId, title: "T", body: "B" })).toHaveStatus(404);
      expect(await repliesAction(agent.cookie, { intent: "delete", replyId })).toHaveStatus(404);
    }
  });
});

describe("a saved reply in a thread", () => {
  test("the thread offers the team's replies and what {name} and {agent} become; a member is offered none", async () => {
    const agent = await createUser({ role: "agent", name: "Ben" });
    const { member, conversation } = await namedContact("Ada Lovelace");
    const reply = await createSavedReply(agent, { title: "Hello", body: "Hi {name}, {agent} here." });

    const staffView = await openThread(agent.cookie, conversation.id);
    expect(staffView.data.savedReplies).toEqual({
      replies: [{ id: reply.id, title: "Hello", body: "Hi {name}, {agent} here." }],
      values: { name: "Ada Lovelace", agent: "Ben" },
      prefill: null,
    });
    const ownView = await openThread(member.cookie, conversation.id, `?reply=${reply.id}`);
    expect(ownView.data.savedReplies).toBeNull();
  });

  test("?reply=<id> fills the box with the reply, placeholders filled; an unknown id is ignored", async () => {
    const agent = await createUser({ role: "agent", name: "Ben" });
    const reply = await createSavedReply(agent, { title: "Hello", body: "Hi {name}, {agent} here." });
    const { conversation } = await namedContact("Ada");
    const stranger = await createConversation();

    expect((await openThread(agent.cookie, conversation.id, `?reply=${reply.id}`)).data.savedReplies?.prefill).toBe(
      "Hi Ada, Ben here.",
    );
    // Nobody's name known: no gap where it would have been.
    expect((await openThread(agent.cookie, stranger.id, `?reply=${reply.id}`)).data.savedReplies?.prefill).toBe(
      "Hi, Ben here.",
    );
    for (const unknown of [crypto.randomUUID(), "nonsense", ""]) {
      const page = await openThread(agent.cookie, conversation.id, `?reply=${unknown}`);
      expect(page).toHaveStatus(200);
      expect(page.data.savedReplies?.prefill).toBeNull();
    }
  });

  test("{name} is what the team named the contact, else the member's own name, never their email", async () => {
    const agent = await createUser({ role: "agent", name: "Ben" });
    const reply = await createSavedReply(agent, { title: "Hello", body: "Hi {name}!" });
    const { conversation } = await namedContact("Ada");
    const prefill = async () =>
      (await openThread(agent.cookie, conversation.id, `?reply=${reply.id}`)).data.savedReplies?.prefill;
    expect(
      await postToThread(agent.cookie, conversation.id, { intent: "update-contact", name: "Mrs Lovelace" }),
    ).toHaveStatus(302);
    expect(await prefill()).toBe("Hi Mrs Lovelace!");

    const { conversation: nameless } = await namedContact();
    expect((await openThread(agent.cookie, nameless.id, `?reply=${reply.id}`)).data.savedReplies?.prefill).toBe("Hi!");
  });

  test("a saved reply goes out exactly as previewed in the box", async () => {
    const agent = await createUser({ role: "agent", name: "Ben" });
    const reply = await createSavedReply(agent, {
      title: "Thanks",
      body: "Thanks {name}!\nYour parcel left today. {agent}",
    });
    const { conversation } = await namedContact("Ada");

    const page = await openThread(agent.cookie, conversation.id, `?reply=${reply.id}`);
    const preview = page.data.savedReplies!.prefill!;
    expect(preview).toBe("Thanks Ada!\nYour parcel left today. Ben");
    const sent = await postToThread(agent.cookie, conversation.id, {
      intent: "send",
      body: preview,
      idempotencyKey: page.data.idempotencyKey,
    });
    expect(sent).toHaveRedirect(`/messages/${conversation.id}`);
    await runDueJobs();
    expect(messagebird.sent.map((request) => request.body.body)).toEqual([preview]);
  });
});

describe("deleting an account", () => {
  test("keeps the replies it wrote, without an author", async () => {
    const agent = await createUser({ role: "agent" });
    const reply = await createSavedReply(agent, { title: "Stays", body: "Stays" });
    await db.delete(users).where(eq(users.id, agent.id));
    expect(await storedReplies()).toEqual([expect.objectContaining({ id: reply.id, createdById: null })]);
  });
});
