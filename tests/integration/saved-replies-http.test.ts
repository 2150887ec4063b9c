import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startApp, stopApp, type AppProcess } from "../support/app-process";
import { createConversation, createSavedReply, createUser, freshPhone } from "../support/factories";

// The page as a browser without JavaScript gets it from the built server.

async function namedContact(name: string) {
  const phone = freshPhone();
  const member = await createUser({ phone, name });
  return { member, conversation: await createConversation({ contact: phone, userId: member.id }) };
}

describe("the thread's HTML with ?reply=", () => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(() => stopApp(app));

  const fetchThread = async (cookie: string, path: string) => {
    const response = await fetch(new URL(path, app.url), { headers: { cookie } });
    expect(response).toHaveStatus(200);
    return response.text();
  };

  test("the reply box holds the filled-in reply, as text; the links to the others are there", async () => {
    const agent = await createUser({ role: "agent", name: "Ben <b>" });
    const reply = await createSavedReply(agent, { title: "Hello & welcome", body: "Hi {name}, {agent} here." });
    const { conversation } = await namedContact("Ada");

    const html = await fetchThread(agent.cookie, `/messages/${conversation.id}?reply=${reply.id}`);
    expect(html).toMatch(/<textarea[^>]*name="body"[^>]*>Hi Ada, Ben &lt;b&gt; here\.<\/textarea>/);
    expect(html).toContain(`href="/messages/${conversation.id}?reply=${reply.id}"`);
    expect(html).toContain("Hello &amp; welcome");
  });

  test("an unknown id leaves the box empty", async () => {
    const agent = await createUser({ role: "agent" });
    const { conversation } = await namedContact("Ada");
    const html = await fetchThread(agent.cookie, `/messages/${conversation.id}?reply=${crypto.randomUUID()}`);
    expect(html).toMatch(/<textarea[^>]*name="body"[^>]*><\/textarea>/);
  });

  test("a member's thread has no saved replies", async () => {
    const agent = await createUser({ role: "agent" });
    const reply = await createSavedReply(agent, { title: "Team only", body: "For the team {agent}" });
    const { member, conversation } = await namedContact("Ada");
    const html = await fetchThread(member.cookie, `/messages/${conversation.id}?reply=${reply.id}`);
    expect(html).not.toContain("Saved replies");
    expect(html).not.toContain("For the team");
    expect(html).toMatch(/<textarea[^>]*name="body"[^>]*><\/textarea>/);
  });
});
