import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startApp, stopApp, type AppProcess } from "../support/app-process";
import { createConversation, createMessage, createUser, type Conversation } from "../support/factories";

// What an attacker can text anyone's number: it must reach agents' screens as the characters it is.
const MARKUP = "<img src=x onerror=alert(1)>";
const ESCAPED = "&lt;img src=x onerror=alert(1)&gt;";

describe("an SMS body is text on every page that shows it, never markup", () => {
  let app: AppProcess;
  let agentCookie: string;
  let conversation: Conversation;
  beforeAll(async () => {
    app = await startApp();
    agentCookie = (await createUser({ role: "agent" })).cookie;
    conversation = await createConversation();
    await createMessage(conversation, { body: MARKUP });
  });
  afterAll(() => stopApp(app));

  test.each([
    ["the team's conversation list", () => "/messages"],
    ["the thread", () => `/messages/${conversation.id}`],
  ])("%s shows it escaped, and no element it describes", async (_page, path) => {
    const response = await fetch(new URL(path(), app.url), { headers: { cookie: agentCookie } });
    expect(response).toHaveStatus(200);
    const html = await response.text();
    expect(html).toContain(ESCAPED);
    expect(html).not.toMatch(/<img[^>]*onerror/i);
  });
});
