import { desc, eq } from "drizzle-orm";
import { beforeEach, describe, expect, test } from "vitest";
import { database, db } from "~/.server/platform/db/client";
import { conversations, messages, webhookRejections } from "~/.server/platform/db/schema";
import { EVENTS_CHANNEL, type InboxEvent } from "~/.server/platform/event-bus";
import { action, loader } from "~/routes/webhooks.messagebird.status";
import { callAction, callLoader, jsonAnswer } from "../support/route-call";

const SECRET = "test-webhook-secret-0123456789";
const BASE = "http://localhost:3000/webhooks/messagebird/status";

async function report(fields: Record<string, string>, { secret = SECRET, method = "GET" } = {}) {
  const query = new URLSearchParams({ ...fields, secret });
  const request =
    method === "GET"
      ? new Request(`${BASE}?${query}`)
      : new Request(`${BASE}?secret=${secret}`, { method, body: new URLSearchParams(fields) });
  return jsonAnswer(method === "GET" ? await callLoader(loader, { request }) : await callAction(action, { request }));
}

let conversationId: string;
/** An outbound message as the send flow leaves it: queued, then sent with MessageBird's id. */
async function outbound(
  status: "queued" | "sent" = "sent",
  providerMessageId: string | null = `mb-${crypto.randomUUID()}`,
) {
  const [message] = await db
    .insert(messages)
    .values({
      conversationId,
      direction: "outbound",
      body: "Your code is ready",
      fromNumber: "+447700900000",
      toNumber: "+31612345678",
      status,
      providerMessageId,
    })
    .returning();
  return message!;
}
const current = async (id: string) => (await db.select().from(messages).where(eq(messages.id, id)))[0]!;

beforeEach(async () => {
  await db.delete(messages);
  await db.delete(conversations);
  await db.delete(webhookRejections);
  const [conversation] = await db
    .insert(conversations)
    .values({ contactNumber: "+31612345678", virtualNumber: "+447700900000" })
    .returning();
  conversationId = conversation!.id;
});

describe("delivery reports", () => {
  test("a report moves a sent message forward, found by MessageBird's id", async () => {
    const message = await outbound();
    const statusDatetime = new Date(Date.now() - 5_000);
    const answer = await report({
      id: message.providerMessageId!,
      reference: message.id,
      status: "delivered",
      statusDatetime: statusDatetime.toISOString(),
    });
    expect(answer).toEqual({ status: 200, body: { status: "updated", id: message.id } });
    expect(await current(message.id)).toMatchObject({
      status: "delivered",
      statusAt: statusDatetime,
      errorCode: null,
      errorMessage: null,
    });
  });

  test("a report that arrives before the send result was recorded is found by our reference", async () => {
    const message = await outbound("queued", null);
    expect((await report({ id: "mb-not-yet-known", reference: message.id, status: "buffered" })).body).toEqual({
      status: "updated",
      id: message.id,
    });
    expect((await current(message.id)).status).toBe("buffered");
  });

  test("reports out of order never move a status backwards", async () => {
    const message = await outbound();
    const id = message.providerMessageId!;
    expect((await report({ id, status: "delivered" })).body.status).toBe("updated");
    expect((await report({ id, status: "buffered" })).body).toEqual({ status: "unchanged", id: message.id });
    expect((await report({ id, status: "sent" })).body.status).toBe("unchanged");
    expect((await report({ id, status: "delivery_failed" })).body.status).toBe("unchanged");
    expect((await current(message.id)).status).toBe("delivered");
  });

  test("reports in order walk sent → buffered → delivered", async () => {
    const message = await outbound("queued");
    const id = message.providerMessageId!;
    const seen = [];
    for (const status of ["scheduled", "sent", "buffered", "delivered"]) {
      await report({ id, status });
      seen.push((await current(message.id)).status);
    }
    expect(seen).toEqual(["queued", "sent", "buffered", "delivered"]);
  });

  test("delivery_failed becomes failed, keeping MessageBird's reason and error code", async () => {
    const message = await outbound();
    await report({
      id: message.providerMessageId!,
      status: "delivery_failed",
      statusReason: "unknown subscriber",
      statusErrorCode: "1",
    });
    expect(await current(message.id)).toMatchObject({
      status: "failed",
      errorMessage: "unknown subscriber",
      errorCode: "1",
    });
  });

  test("expired is final too, and a form POST works like the GET", async () => {
    const message = await outbound();
    expect((await report({ id: message.providerMessageId!, status: "expired" }, { method: "POST" })).body.status).toBe(
      "updated",
    );
    expect((await current(message.id)).status).toBe("expired");
  });

  test("a report for an unknown message answers 200 ignored, so MessageBird stops retrying, and is recorded", async () => {
    const answer = await report({ id: "mb-unknown", reference: "not-a-uuid", status: "delivered" });
    expect(answer).toEqual({ status: 200, body: { status: "ignored" } });
    expect(await report({ reference: crypto.randomUUID(), status: "delivered" })).toEqual({
      status: 200,
      body: { status: "ignored" },
    });
    const [rejection] = await db.select().from(webhookRejections).orderBy(desc(webhookRejections.id)).limit(1);
    expect(rejection).toMatchObject({
      route: "/webhooks/messagebird/status",
      status: 200,
      reason: "delivery report for an unknown message",
    });
    expect(rejection!.excerpt).not.toContain(SECRET);
  });

  test("an inbound message is never changed by a delivery report", async () => {
    const [inbound] = await db
      .insert(messages)
      .values({
        conversationId,
        direction: "inbound",
        body: "hi",
        fromNumber: "+31612345678",
        toNumber: "+447700900000",
        status: "received",
        providerMessageId: "mb-in",
      })
      .returning();
    expect((await report({ id: "mb-in", status: "delivered" })).body.status).toBe("ignored");
    expect((await current(inbound!.id)).status).toBe("received");
  });

  test("the same authentication applies: a wrong secret answers 401 and changes nothing", async () => {
    const message = await outbound();
    expect(await report({ id: message.providerMessageId!, status: "delivered" }, { secret: "wrong-secret" })).toEqual({
      status: 401,
      body: { error: "wrong secret" },
    });
    expect((await current(message.id)).status).toBe("sent");
  });

  test("an unknown status or a report without id and reference answers 400", async () => {
    expect(await report({ id: "x", status: "read" })).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/^status:/) },
    });
    expect(await report({ status: "delivered" })).toEqual({
      status: 400,
      body: { error: "id: required (or reference)" },
    });
  });

  test("a status change is published after it is stored", async () => {
    const message = await outbound();
    const events: InboxEvent[] = [];
    const unlisten = await database.listen(EVENTS_CHANNEL, (payload) =>
      events.push(...(JSON.parse(payload) as InboxEvent[])),
    );
    try {
      await report({ id: message.providerMessageId!, status: "delivered" });
      await expect
        .poll(() => events.filter((e) => e.messageId === message.id))
        .toEqual([{ kind: "status", conversationId, messageId: message.id }]);
    } finally {
      await unlisten();
    }
  });
});
