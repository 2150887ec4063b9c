import { desc, eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { beforeEach, describe, expect, test, vi } from "vitest";
import { db } from "~/.server/platform/db/client";
import { birdWebhooks, conversations, messages, webhookRejections } from "~/.server/platform/db/schema";
import { saveBirdWebhook } from "~/.server/webhooks/bird-secrets";
import { action } from "~/routes/webhooks.bird";
import { createMessage, type Conversation } from "../support/factories";
import { callAction, jsonAnswer } from "../support/route-call";

// The secret an admin copied from Bird when registering by hand; read by env.ts at import.
const HAND_SECRET = vi.hoisted(() => {
  const secret = `whsec_${Buffer.from("hand-registered-secret-32-bytes!").toString("base64")}`;
  process.env.BIRD_WEBHOOK_SECRET = secret;
  return secret;
});
const URL_ = "http://localhost:3000/webhooks/bird";
const OUR_NUMBER = "+447700900000";
const CONTACT = "+31612345678";

type Signing = { secrets?: string[]; at?: Date; tamper?: (body: string) => string; id?: string };

/** Delivers an event exactly as Bird does, signed by the reference Standard Webhooks library. */
async function deliver(
  event: object,
  { secrets = [HAND_SECRET], at = new Date(), tamper, id = `msg_${crypto.randomUUID()}` }: Signing = {},
) {
  const body = JSON.stringify(event);
  const signature = secrets.map((secret) => new Webhook(secret).sign(id, at, body)).join(" ");
  const request = new Request(URL_, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": signature,
    },
    body: tamper ? tamper(body) : body,
  });
  return jsonAnswer(await callAction(action, { request }));
}

const received = (smsId: string, text = "Hello", to = OUR_NUMBER) => ({
  type: "sms.received",
  timestamp: new Date().toISOString(),
  data: { sms_id: smsId, workspace_id: "ws_1", from: CONTACT, to, text, carrier: "KPN" },
});

const statusEvent = (type: string, smsId: string, extra: object = {}, at = new Date()) => ({
  type,
  timestamp: at.toISOString(),
  data: { sms_id: smsId, workspace_id: "ws_1", to: CONTACT, from: OUR_NUMBER, metadata: null, cost: null, ...extra },
});

const inbound = () => db.select().from(messages).where(eq(messages.direction, "inbound"));

let conversation: Conversation;
let conversationId: string;
const outbound = (providerMessageId: string) =>
  createMessage(conversation, { direction: "outbound", body: "Reply", providerMessageId });
const current = async (id: string) => (await db.select().from(messages).where(eq(messages.id, id)))[0]!;

beforeEach(async () => {
  await db.delete(messages);
  await db.delete(conversations);
  await db.delete(webhookRejections);
  await db.delete(birdWebhooks);
  [conversation] = (await db
    .insert(conversations)
    .values({ contactNumber: CONTACT, virtualNumber: OUR_NUMBER })
    .returning()) as [Conversation];
  conversationId = conversation.id;
});

describe("Bird webhook: signatures (Standard Webhooks)", () => {
  test("a signed sms.received is stored in the conversation with its sender on the number it was sent to", async () => {
    expect((await deliver(received("sms_in1", "Is my order ready?"))).status).toBe(200);
    const [stored] = await inbound();
    expect(stored).toMatchObject({
      body: "Is my order ready?",
      fromNumber: CONTACT,
      toNumber: OUR_NUMBER,
      providerMessageId: "sms_in1",
      conversationId,
    });
  });

  test("data.to picks which of our numbers was texted: another number gets its own conversation", async () => {
    await deliver(received("sms_in2", "Hi", "+31970102030"));
    const [stored] = await inbound();
    expect(stored!.toNumber).toBe("+31970102030");
    expect(stored!.conversationId).not.toBe(conversationId);
  });

  test("a tampered body is refused with 401 and recorded for admins", async () => {
    const answer = await deliver(received("sms_forged"), { tamper: (body) => body.replace("Hello", "Send money") });
    expect(answer).toEqual({ status: 401, body: { error: "invalid signature: no v1 signature matches" } });
    expect(await inbound()).toHaveLength(0);
    const [rejection] = await db.select().from(webhookRejections);
    expect(rejection).toMatchObject({
      route: "/webhooks/bird",
      status: 401,
      reason: "invalid signature: no v1 signature matches",
    });
  });

  test("a signature from six minutes ago is refused as stale", async () => {
    const answer = await deliver(received("sms_old"), { at: new Date(Date.now() - 6 * 60_000) });
    expect(answer.status).toBe(401);
    expect(answer.body.error).toMatch(/5 minutes/);
    expect(await inbound()).toHaveLength(0);
  });

  test("a request signed with a secret we do not hold is refused", async () => {
    const other = `whsec_${Buffer.from("some-other-secret-of-32-bytes!!!").toString("base64")}`;
    expect((await deliver(received("sms_other"), { secrets: [other] })).status).toBe(401);
  });

  test("during a rotation (two signatures) and after it, the registered secret is in force at once", async () => {
    const rotated = `whsec_${Buffer.from("registered-secret-from-bird-api!").toString("base64")}`;
    const unknown = `whsec_${Buffer.from("secret-nobody-registered-here!!!").toString("base64")}`;
    expect((await deliver(received("sms_rot0"), { secrets: [rotated] })).status).toBe(401);

    await saveBirdWebhook({ id: "whk_rotated", url: URL_, secret: rotated });
    expect((await deliver(received("sms_rot1"), { secrets: [unknown, rotated] })).status).toBe(200);
    expect((await deliver(received("sms_rot2"), { secrets: [rotated] })).status).toBe(200);
    expect((await inbound()).map((m) => m.providerMessageId).sort()).toEqual(["sms_rot1", "sms_rot2"]);
  });

  test("the registered secret is kept encrypted, never as plain text", async () => {
    const secret = `whsec_${Buffer.from("plain-text-must-not-be-stored!!!").toString("base64")}`;
    await saveBirdWebhook({ id: "whk_sealed", url: URL_, secret });
    const [row] = await db.select().from(birdWebhooks);
    expect(row!.sealedSecret).not.toContain(secret);
    expect(row!.sealedSecret).not.toContain(secret.slice(6));
  });
});

describe("Bird webhook: events", () => {
  test("a replayed sms.received (new webhook-id, same sms_id) answers 2xx and stores one row", async () => {
    const event = received("sms_replayed");
    expect(await deliver(event)).toMatchObject({ status: 200, body: { status: "stored" } });
    expect(await deliver(event)).toEqual({ status: 200, body: { status: "duplicate" } });
    expect(await inbound()).toHaveLength(1);
  });

  test.each([
    ["sms.accepted", "sent"],
    ["sms.sent", "buffered"],
    ["sms.delivered", "delivered"],
    ["sms.undelivered", "failed"],
    ["sms.failed", "failed"],
    ["sms.rejected", "failed"],
    ["sms.expired", "expired"],
  ] as const)("%s moves a queued reply to %s", async (type, status) => {
    const message = await outbound(`sms_${type}`);
    await db.update(messages).set({ status: "queued" }).where(eq(messages.id, message.id));
    expect((await deliver(statusEvent(type, `sms_${type}`))).status).toBe(200);
    expect((await current(message.id)).status).toBe(status);
  });

  test("sms.failed shows its error code in plain words and keeps the code", async () => {
    const message = await outbound("sms_fail");
    await deliver(
      statusEvent("sms.failed", "sms_fail", {
        error: { code: "unreachable", description: "Absent subscriber", occurred_at: new Date().toISOString() },
      }),
    );
    expect(await current(message.id)).toMatchObject({
      status: "failed",
      errorMessage: "The phone is unreachable.",
      errorCode: "unreachable",
    });
  });

  test("a status found by our id in metadata before the send result was recorded", async () => {
    const message = await outbound("sms_placeholder");
    await db.update(messages).set({ providerMessageId: null, status: "queued" }).where(eq(messages.id, message.id));
    await deliver(statusEvent("sms.delivered", "sms_late_id", { metadata: { birdline_message_id: message.id } }));
    expect(await current(message.id)).toMatchObject({ status: "delivered", providerMessageId: "sms_late_id" });
  });

  test("out of order: a late sms.sent after sms.delivered answers 2xx and changes nothing", async () => {
    const message = await outbound("sms_order");
    await deliver(statusEvent("sms.delivered", "sms_order"));
    expect(await deliver(statusEvent("sms.sent", "sms_order", {}, new Date(Date.now() - 60_000)))).toMatchObject({
      status: 200,
      body: { status: "unchanged" },
    });
    expect(await deliver(statusEvent("sms.delivered", "sms_order"))).toMatchObject({
      status: 200,
      body: { status: "unchanged" },
    });
    expect((await current(message.id)).status).toBe("delivered");
  });

  test("a status for an SMS that is not ours (a code, another sender) is acknowledged without a rejection row", async () => {
    expect(await deliver(statusEvent("sms.delivered", "sms_someone_elses"))).toMatchObject({
      status: 200,
      body: { status: "ignored" },
    });
    expect(await db.select().from(webhookRejections)).toHaveLength(0);
    await deliver(statusEvent("sms.delivered", "sms_lost", { metadata: { birdline_message_id: crypto.randomUUID() } }));
    expect(await db.select().from(webhookRejections)).toMatchObject([
      { status: 200, reason: "status for an unknown message" },
    ]);
  });

  test("sms_suppression.created marks the contact opted out on that number only", async () => {
    const [other] = await db
      .insert(conversations)
      .values({ contactNumber: CONTACT, virtualNumber: "+31970102030" })
      .returning();
    const answer = await deliver({
      type: "sms_suppression.created",
      timestamp: new Date().toISOString(),
      data: { destination: CONTACT, originator: OUR_NUMBER, reason: "keyword" },
    });
    expect(answer).toMatchObject({ status: 200, body: { status: "opted-out" } });
    const rows = await db.select().from(conversations).orderBy(desc(conversations.createdAt));
    expect(rows.find((c) => c.id === conversationId)!.optedOutAt).not.toBeNull();
    expect(rows.find((c) => c.id === other!.id)!.optedOutAt).toBeNull();
  });

  test("an event type we did not ask for is acknowledged, so Bird does not retry it", async () => {
    expect(await deliver({ type: "email.delivered", timestamp: new Date().toISOString(), data: {} })).toMatchObject({
      status: 200,
      body: { status: "ignored" },
    });
  });

  test("a malformed sms.received is refused with 400 naming Bird's field", async () => {
    const answer = await deliver({
      type: "sms.received",
      timestamp: new Date().toISOString(),
      data: { sms_id: "sms_x", to: OUR_NUMBER, text: "hi" },
    });
    expect(answer).toEqual({ status: 400, body: { error: "data.from: required" } });
  });

  test("a body over 64 KiB is refused with 413", async () => {
    const answer = await deliver(received("sms_big", "x".repeat(70_000)));
    expect(answer.status).toBe(413);
  });
});
