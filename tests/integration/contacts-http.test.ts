import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { receiveInbound } from "~/.server/conversations/inbound";
import type { InboxEvent } from "~/.server/platform/event-bus";
import { startApp, stopApp, type AppProcess } from "../support/app-process";
import { browser } from "../support/browser";
import { readEventStream } from "../support/event-stream";
import { createConversation, createUser, freshPhone, type Conversation, type TestUser } from "../support/factories";
import { CookieJar } from "../support/route-call";

const NOTE = "Internal: refund approved by Lisa";
const CONTACT_NOTE = "Difficult customer";

/** Every route a member's browser can ask about their thread: none of them carries the team's notes. */
describe("an internal note is invisible to the member by every route we serve", () => {
  let app: AppProcess;
  let member: TestUser;
  let agent: TestUser;
  let conversation: Conversation;
  const signedIn = (cookie: string) => {
    const jar = new CookieJar();
    jar.store(new Headers({ "set-cookie": cookie }));
    return browser(app.url, { jar });
  };

  beforeAll(async () => {
    app = await startApp();
    const phone = freshPhone();
    member = await createUser({ phone, name: "Mona Member" });
    agent = await createUser({ role: "agent" });
    conversation = await createConversation({ contact: phone, userId: member.id });
    const team = signedIn(agent.cookie);
    for (const form of <Record<string, string>[]>[
      { intent: "add-note", body: NOTE },
      { intent: "update-contact", name: "Mona M.", note: CONTACT_NOTE },
    ]) {
      expect((await team.post(`/messages/${conversation.id}`, form)).status).toBe(302);
    }
  });
  afterAll(() => stopApp(app));

  test.each([
    ["the thread's HTML", () => `/messages/${conversation.id}`],
    ["the thread's data (client navigation)", () => `/messages/${conversation.id}.data`],
    ["the list's data", () => `/messages.data`],
  ])("%s has the note for the team and not for the member", async (_route, path) => {
    const asTeam = await signedIn(agent.cookie).get(path());
    expect(asTeam.status).toBe(200);
    expect(asTeam.html).toContain("Mona M.");
    if (path().includes(conversation.id)) expect(asTeam.html).toContain(NOTE);

    const asMember = await signedIn(member.cookie).get(path());
    // A member's /messages is a redirect to their own thread (202 in a data request).
    expect([200, 202]).toContain(asMember.status);
    for (const secret of [NOTE, CONTACT_NOTE, "Mona M.", "only your team sees this"])
      expect(asMember.html).not.toContain(secret);
  });

  test("without JavaScript, a refused contact form comes back with its error and what was typed", async () => {
    const name = `${"Very long name ".repeat(6)}!`;
    const page = await signedIn(agent.cookie).post(`/messages/${conversation.id}`, {
      intent: "update-contact",
      name,
      note: "Kept <b>as typed</b>",
    });
    expect(page.status).toBe(400);
    expect(page.html).toContain("Keep the name to 80 characters.");
    expect(page.html).toMatch(new RegExp(`<input[^>]*value="${name}"`));
    expect(page.html).toContain("Kept &lt;b&gt;as typed&lt;/b&gt;</textarea>");
  });

  test("/events tells the team about a note and the member nothing", async () => {
    const open = async (cookie: string) => {
      const abort = new AbortController();
      const response = await fetch(new URL("/events", app.url), { headers: { cookie }, signal: abort.signal });
      expect(response.status).toBe(200);
      const stream = readEventStream(response.body!);
      // The stream says hello first: from then on it is subscribed.
      await stream.until((text) => text.length > 0);
      return { stream, close: () => abort.abort() };
    };
    const inboxEvents = (stream: ReturnType<typeof readEventStream>) =>
      stream
        .events()
        .filter((event) => event.event === "inbox")
        .map((event) => JSON.parse(event.data) as InboxEvent);
    const [memberStream, agentStream] = [await open(member.cookie), await open(agent.cookie)];
    try {
      await signedIn(agent.cookie).post(`/messages/${conversation.id}`, { intent: "add-note", body: "Another one" });
      await agentStream.stream.until(() => inboxEvents(agentStream.stream).some((e) => e.kind === "note"));
      // A later SMS reaches the member's stream; a note event, sent before it, would be there too.
      const sms = await receiveInbound({
        from: conversation.contactNumber,
        to: conversation.virtualNumber,
        body: "hi",
      });
      if (sms.status !== "stored") throw new Error("expected a stored message");
      await memberStream.stream.until(() => inboxEvents(memberStream.stream).some((e) => e.messageId === sms.id));
      expect(inboxEvents(memberStream.stream)).toEqual([
        { kind: "message", conversationId: conversation.id, messageId: sms.id },
      ]);
      expect(memberStream.stream.text()).not.toContain("note");
    } finally {
      memberStream.close();
      agentStream.close();
    }
  });
});
