import { and, eq } from "drizzle-orm";
import { describe, expect, test, vi } from "vitest";
import { db } from "~/.server/platform/db/client";
import { conversations, messages, simulatedSms } from "~/.server/platform/db/schema";
import { defaultSender } from "~/.server/sms/numbers";
import { builtAppWithApi, expectProblem, tokenFor } from "../support/api";
import { createConversation, createUser, freshPhone } from "../support/factories";

// POST /api/v1/messages against the built server, whose worker sends through the simulator.

const { api } = builtAppWithApi();

const outboundIn = (conversationId: string) =>
  db
    .select()
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, "outbound")));

const smsTo = (contact: string) => db.select().from(simulatedSms).where(eq(simulatedSms.toNumber, contact));

describe("Idempotency-Key", () => {
  test("20 identical requests at once: one stored message, one SMS, and the same answer for all", async () => {
    const agent = await createUser({ role: "agent" });
    const token = await tokenFor(agent);
    const conversation = await createConversation();
    const key = crypto.randomUUID();
    const send = () =>
      api("POST", "/api/v1/messages", {
        token,
        headers: { "idempotency-key": key },
        body: { conversationId: conversation.id, body: "Your order has shipped." },
      });

    const answers = await Promise.all(Array.from({ length: 20 }, send));
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(201));
    expect(new Set(answers.map((answer) => answer.text)).size).toBe(1);
    expect(answers[0]!.json).toMatchObject({
      conversationId: conversation.id,
      message: { body: "Your order has shipped.", direction: "outbound", author: { kind: "user" } },
    });

    const stored = await outboundIn(conversation.id);
    expect(stored).toHaveLength(1);
    await vi.waitFor(async () => expect((await outboundIn(conversation.id))[0]?.status).toBe("sent"), 10_000);
    expect(await smsTo(conversation.contactNumber)).toHaveLength(1);

    const later = await send();
    expect(later.text).toBe(answers[0]!.text);
    expect(await outboundIn(conversation.id)).toHaveLength(1);
  });

  test("the same key with another body is a 422, and sends nothing; another user's same key is theirs", async () => {
    const agent = await createUser({ role: "agent" });
    const token = await tokenFor(agent);
    const conversation = await createConversation();
    const key = "order-1234-shipped";
    const first = await api("POST", "/api/v1/messages", {
      token,
      headers: { "idempotency-key": key },
      body: { conversationId: conversation.id, body: "First" },
    });
    expect(first.status).toBe(201);
    const reused = await api("POST", "/api/v1/messages", {
      token,
      headers: { "idempotency-key": key },
      body: { conversationId: conversation.id, body: "Second" },
    });
    expect(expectProblem(reused, 422).type).toBe("urn:birdline:problem:idempotency-key-reused");

    const colleague = await createUser({ role: "agent" });
    const theirs = await api("POST", "/api/v1/messages", {
      token: await tokenFor(colleague),
      headers: { "idempotency-key": key },
      body: { conversationId: conversation.id, body: "Second" },
    });
    expect(theirs.status).toBe(201);
    expect((await outboundIn(conversation.id)).map((message) => message.body).sort()).toEqual(["First", "Second"]);
  });

  test("without a key, each request sends", async () => {
    const agent = await createUser({ role: "agent" });
    const token = await tokenFor(agent);
    const conversation = await createConversation();
    for (let i = 0; i < 2; i++)
      await api("POST", "/api/v1/messages", { token, body: { conversationId: conversation.id, body: "Hello" } });
    expect(await outboundIn(conversation.id)).toHaveLength(2);
  });

  test("a refusal is kept as the key's answer too: an opted-out contact is a 409 each time", async () => {
    const agent = await createUser({ role: "agent" });
    const token = await tokenFor(agent);
    const conversation = await createConversation({ optedOut: true });
    const send = () =>
      api("POST", "/api/v1/messages", {
        token,
        headers: { "idempotency-key": "opted-out-once" },
        body: { conversationId: conversation.id, body: "Hello" },
      });
    const first = await send();
    expect(expectProblem(first, 409).type).toBe("urn:birdline:problem:opted-out");
    expect((await send()).text).toBe(first.text);
  });
});

describe("texting a contact first", () => {
  test("an agent's token starts a conversation from one of our numbers", async () => {
    const agent = await createUser({ role: "agent" });
    const token = await tokenFor(agent);
    const contact = freshPhone();
    const sent = await api("POST", "/api/v1/messages", {
      token,
      body: { to: contact.replace("+31", "0"), from: defaultSender(), body: "Your table is ready." },
    });
    expect(sent.status).toBe(201);
    const { conversationId } = sent.json as unknown as { conversationId: string };
    const [conversation] = await db.select().from(conversations).where(eq(conversations.id, conversationId));
    expect(conversation).toMatchObject({ contactNumber: contact, virtualNumber: defaultSender() });

    const read = await api("GET", `/api/v1/conversations/${conversationId}/messages`, { token });
    expect(read.json).toMatchObject({ data: [{ body: "Your table is ready.", direction: "outbound" }], next: null });
  });

  test("a number that is not one we can text, or not one of ours, is a 422 pointing at the field", async () => {
    const agent = await createUser({ role: "agent" });
    const token = await tokenFor(agent);
    const refused = await api("POST", "/api/v1/messages", {
      token,
      body: { to: "12", from: "+15550000000", body: "Hello" },
    });
    const problem = expectProblem(refused, 422);
    expect(problem.errors?.map((error) => error.pointer).sort()).toEqual(["/body/from", "/body/to"]);
  });
});
