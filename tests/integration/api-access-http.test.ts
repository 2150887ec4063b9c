import { eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { API_REQUESTS_PER_TOKEN } from "~/.server/api/auth";
import { revokeToken, listTokens } from "~/.server/api/tokens";
import { db } from "~/.server/platform/db/client";
import { apiTokens, messages, users } from "~/.server/platform/db/schema";
import { hitLimit } from "~/.server/platform/rate-limit";
import { builtAppWithApi, expectProblem, tokenFor } from "../support/api";
import { createConversation, createMessage, createUser, freshPhone } from "../support/factories";

// Who a token acts as and what it may do, and how the edge treats /api/v1, against the built server.

const { api } = builtAppWithApi();

async function memberWithConversation() {
  const phone = freshPhone();
  const member = await createUser({ phone });
  const conversation = await createConversation({ contact: phone, userId: member.id });
  await createMessage(conversation, { body: "Is my order on its way?" });
  return { member, conversation };
}

describe("a token acts as its user", () => {
  test("a member's token lists and reads only the member's own conversations; anyone else's is a 404", async () => {
    const { member, conversation } = await memberWithConversation();
    const other = await memberWithConversation();
    const unclaimed = await createConversation();
    const token = await tokenFor(member);

    const list = await api("GET", "/api/v1/conversations", { token });
    expect(list.status).toBe(200);
    expect(list.json).toMatchObject({
      data: [{ id: conversation.id, handling: null, contact: { name: null } }],
      next: null,
    });

    // Labels are the team's: a member's token cannot ask which of its conversations carry one.
    const labelled = await api("GET", `/api/v1/conversations?label=${crypto.randomUUID()}`, { token });
    expect(labelled.json).toMatchObject({ data: [{ id: conversation.id }] });

    const thread = await api("GET", `/api/v1/conversations/${conversation.id}/messages`, { token });
    expect(thread.json).toMatchObject({ data: [{ body: "Is my order on its way?", direction: "inbound" }] });

    for (const id of [other.conversation.id, unclaimed.id, crypto.randomUUID(), "not-a-uuid"]) {
      expectProblem(await api("GET", `/api/v1/conversations/${id}`, { token }), 404);
      expectProblem(await api("GET", `/api/v1/conversations/${id}/messages`, { token }), 404);
      expectProblem(
        await api("POST", "/api/v1/messages", { token, body: { conversationId: id, body: "Hi" } }),
        id === "not-a-uuid" ? 400 : 404,
      );
    }
    const [stored] = await db.select().from(messages).where(eq(messages.conversationId, other.conversation.id));
    expect(stored?.direction).toBe("inbound");
  });

  test("a member replies in their own conversation, but may not start one or change who handles it", async () => {
    const { member, conversation } = await memberWithConversation();
    const token = await tokenFor(member);
    const sent = await api("POST", "/api/v1/messages", {
      token,
      body: { conversationId: conversation.id, body: "Thanks!" },
    });
    expect(sent.status).toBe(201);
    expect(sent.json).toMatchObject({
      conversationId: conversation.id,
      message: { body: "Thanks!", author: { kind: "user", name: "You" } },
    });

    const start = await api("POST", "/api/v1/messages", {
      token,
      body: { to: freshPhone(), from: "+447700900000", body: "Hi" },
    });
    expect(expectProblem(start, 403).type).toBe("urn:birdline:problem:insufficient-role");
    expectProblem(
      await api("PATCH", `/api/v1/conversations/${conversation.id}`, { token, body: { status: "resolved" } }),
      403,
    );
  });

  test("a read token reads but cannot send: 403 insufficient scope, and nothing is stored", async () => {
    const agent = await createUser({ role: "agent" });
    const conversation = await createConversation();
    const token = await tokenFor(agent, { scope: "read" });
    expect((await api("GET", `/api/v1/conversations/${conversation.id}`, { token })).status).toBe(200);

    const refused = await api("POST", "/api/v1/messages", {
      token,
      body: { conversationId: conversation.id, body: "Hi" },
    });
    const problem = expectProblem(refused, 403);
    expect(problem.type).toBe("urn:birdline:problem:insufficient-scope");
    expect(refused.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
    expectProblem(
      await api("PATCH", `/api/v1/conversations/${conversation.id}`, { token, body: { status: "resolved" } }),
      403,
    );
    expect(await db.select().from(messages).where(eq(messages.conversationId, conversation.id))).toEqual([]);
  });

  test("revoked and expired tokens, and tokens of a deactivated account, are 401", async () => {
    const agent = await createUser({ role: "agent" });
    const token = await tokenFor(agent);
    expect((await api("GET", "/api/v1/numbers", { token })).status).toBe(200);
    const { id } = (await listTokens(agent.id))[0]!;
    await revokeToken(agent.id, id);
    const revoked = await api("GET", "/api/v1/numbers", { token });
    expectProblem(revoked, 401);
    expect(revoked.headers.get("www-authenticate")).toMatch(/^Bearer/);

    const expired = await tokenFor(agent, { expiresAt: new Date(Date.now() - 1000) });
    expectProblem(await api("GET", "/api/v1/numbers", { token: expired }), 401);

    const leaver = await createUser({ role: "agent" });
    const leaversToken = await tokenFor(leaver);
    await db.update(users).set({ deactivatedAt: new Date() }).where(eq(users.id, leaver.id));
    expectProblem(await api("GET", "/api/v1/numbers", { token: leaversToken }), 401);

    expectProblem(await api("GET", "/api/v1/numbers", { token: "bl_made-up" }), 401);
    expectProblem(await api("GET", "/api/v1/numbers", { headers: { authorization: "Basic dXNlcjpwYXNz" } }), 401);
  });

  test("a session cookie is no credential: without a bearer token it is a 401, with one it changes nothing", async () => {
    const agent = await createUser({ role: "agent" });
    const problem = expectProblem(
      await api("GET", "/api/v1/conversations", { headers: { cookie: agent.cookie } }),
      401,
    );
    expect(problem.detail).toMatch(/does not accept cookies/);

    const member = await createUser();
    const token = await tokenFor(member);
    const list = await api("GET", "/api/v1/conversations", { token, headers: { cookie: agent.cookie } });
    expect(list.json).toMatchObject({ data: [] });
    expect(list.headers.get("set-cookie")).toBeNull();
  });

  test("using a token shows as its last use, written at most once a minute", async () => {
    const agent = await createUser({ role: "agent" });
    const token = await tokenFor(agent);
    await api("GET", "/api/v1/numbers", { token });
    const [first] = await db.select().from(apiTokens).where(eq(apiTokens.userId, agent.id));
    expect(first?.lastUsedAt).toBeInstanceOf(Date);
    await api("GET", "/api/v1/numbers", { token });
    const [second] = await db.select().from(apiTokens).where(eq(apiTokens.userId, agent.id));
    expect(second?.lastUsedAt).toEqual(first?.lastUsedAt);
  });

  test("past its limit a token gets 429 with Retry-After; other tokens are not held up", async () => {
    const agent = await createUser({ role: "agent" });
    const token = await tokenFor(agent);
    const { id } = (await listTokens(agent.id))[0]!;
    for (let i = 0; i < API_REQUESTS_PER_TOKEN.max; i++) await hitLimit(API_REQUESTS_PER_TOKEN, id);

    const limited = await api("GET", "/api/v1/numbers", { token });
    expect(expectProblem(limited, 429).type).toBe("urn:birdline:problem:rate-limited");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await api("GET", "/api/v1/numbers", { token: await tokenFor(agent) })).status).toBe(200);
  });
});

describe("the edge's path for /api", () => {
  test("bodies are JSON only: a form encoding is a 415, a body over 32 KiB a 413, both as problem documents", async () => {
    const agent = await createUser({ role: "agent" });
    const token = await tokenFor(agent);
    const form = await api("POST", "/api/v1/messages", {
      token,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "conversationId=x&body=hi",
    });
    expectProblem(form, 415);
    const large = await api("POST", "/api/v1/messages", {
      token,
      body: { to: "+31612345678", from: "x", body: "a".repeat(40_000) },
    });
    expectProblem(large, 413);
  });

  test("malformed JSON is a 400, a wrong shape a 400 that points at each field", async () => {
    const agent = await createUser({ role: "agent" });
    const token = await tokenFor(agent);
    expectProblem(await api("POST", "/api/v1/messages", { token, body: "{not json" }), 400);
    const shape = await api("POST", "/api/v1/messages", {
      token,
      body: { conversationId: crypto.randomUUID(), body: "" },
    });
    const problem = expectProblem(shape, 400);
    expect(problem.errors).toContainEqual({ pointer: "/body/body", detail: expect.any(String) });
    const query = expectProblem(await api("GET", "/api/v1/conversations?view=everything", { token }), 400);
    expect(query.errors?.[0]?.pointer).toBe("/query/view");
    const nul = await api("POST", "/api/v1/messages", {
      token,
      body: { conversationId: crypto.randomUUID(), body: "a\u0000b" },
    });
    expect(expectProblem(nul, 400).errors?.[0]?.pointer).toBe("/body/body");
    expectProblem(await api("GET", "/api/v1/conversations?q=a%00b", { token }), 400);
  });

  test("no cross-site refusal (no cookies are read), an unknown path is a 404 and a wrong method a 405, as problems", async () => {
    const agent = await createUser({ role: "agent" });
    const token = await tokenFor(agent);
    const conversation = await createConversation();
    const crossSite = await api("PATCH", `/api/v1/conversations/${conversation.id}`, {
      token,
      headers: { origin: "https://crm.example", "sec-fetch-site": "cross-site" },
      body: { status: "resolved" },
    });
    expect(crossSite.status).toBe(200);
    expectProblem(await api("GET", "/api/v1/nothing-here", { token }), 404);
    const wrongMethod = await api("DELETE", `/api/v1/conversations/${conversation.id}`, { token });
    expectProblem(wrongMethod, 405);
    expect(wrongMethod.headers.get("allow")).toBe("GET, PATCH");
  });
});
