import { eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterEach, describe, expect, test } from "vitest";
import { runDueJobs } from "~/.server/background";
import { assign, resolve } from "~/.server/conversations/assignment";
import { applyDeliveryReport } from "~/.server/conversations/delivery-status";
import { receiveInbound } from "~/.server/conversations/inbound";
import { sendReply } from "~/.server/conversations/outbound";
import { db } from "~/.server/platform/db/client";
import { messages, webhookAttempts, webhookDeliveries, webhookEndpoints } from "~/.server/platform/db/schema";
import { action as listAction, loader as listLoader } from "~/routes/settings.webhooks";
import { action as endpointAction, loader as endpointLoader } from "~/routes/settings.webhooks.$endpointId";
import { createConversation, createUser, freshPhone, type TestUser } from "../support/factories";
import { callAction, callLoader } from "../support/route-call";
import { startReceiver, type Receiver, type ReceiverAnswer } from "../support/webhook-receiver";

// Local mode (APP_URL is localhost): a receiver on this machine is allowed, other private addresses are not.

const SERVICE_NUMBER = "+447700900000";
const receivers: Receiver[] = [];
afterEach(async () => {
  // Each test's endpoints go with it, so the next test's events reach only its own receivers.
  await db.delete(webhookEndpoints);
  await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
});

async function receiver(answers: ReceiverAnswer[] = []) {
  const started = await startReceiver(answers);
  receivers.push(started);
  return started;
}

const eventFields = (events: string[]) =>
  Object.fromEntries(events.map((event, n) => [`events[${n}]`, event])) as Record<string, string>;

/** An admin adds an endpoint through the form; answers its id and the secret its page shows. */
async function addEndpoint(admin: TestUser, url: string, events: string[]) {
  const added = await callAction(listAction, {
    url: "/settings/webhooks",
    cookie: admin.cookie,
    form: { intent: "create", url, ...eventFields(events) },
  });
  expect(added).toHaveStatus(302);
  const endpointId = added.location!.match(/\/settings\/webhooks\/([^?]+)/)![1]!;
  const page = await callLoader(endpointLoader, {
    url: added.location!,
    cookie: admin.cookie,
    params: { endpointId },
  });
  return { endpointId, secret: page.data.endpoint.secret! };
}

/** Moves every pending delivery's next attempt to now, as if its wait had passed. */
const retriesFallDue = () =>
  db.execute(sql`update graphile_worker._private_jobs set run_at = now() where key like 'webhook:%'`);

const verify = (secret: string, { headers, body }: Receiver["received"][number]) =>
  new Webhook(secret).verify(body, headers as Record<string, string>) as {
    type: string;
    timestamp: string;
    data: Record<string, unknown>;
  };

describe("outgoing webhooks", () => {
  test("a receiver gets message.received for an inbound SMS, signed so the reference library verifies it", async () => {
    const admin = await createUser({ role: "admin" });
    const hook = await receiver();
    const { secret } = await addEndpoint(admin, hook.url, ["message.received"]);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const contact = freshPhone();

    await receiveInbound({ from: contact, to: SERVICE_NUMBER, body: "Is my order on its way?" });
    await runDueJobs();

    expect(hook.received).toHaveLength(1);
    const event = verify(secret, hook.received[0]!);
    expect(event).toMatchObject({
      type: "message.received",
      data: { direction: "inbound", from: contact, to: SERVICE_NUMBER, body: "Is my order on its way?" },
    });
    expect(hook.received[0]!.headers["webhook-id"]).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(() =>
      new Webhook(`whsec_${Buffer.from("another secret").toString("base64")}`).verify(
        hook.received[0]!.body,
        hook.received[0]!.headers as Record<string, string>,
      ),
    ).toThrow();
  });

  test("answered 500 once, the delivery is posted again with the same webhook-id, and both attempts are listed", async () => {
    const admin = await createUser({ role: "admin" });
    const hook = await receiver([500]);
    const { endpointId, secret } = await addEndpoint(admin, hook.url, ["message.received"]);

    await receiveInbound({ from: freshPhone(), to: SERVICE_NUMBER, body: "Hello?" });
    await runDueJobs();
    expect(hook.received).toHaveLength(1);
    await retriesFallDue();
    await runDueJobs();

    expect(hook.received).toHaveLength(2);
    const [first, second] = hook.received;
    expect(second!.headers["webhook-id"]).toBe(first!.headers["webhook-id"]);
    expect(second!.body).toBe(first!.body);
    expect(verify(secret, second!).type).toBe("message.received");
    const page = await callLoader(endpointLoader, {
      url: `/settings/webhooks/${endpointId}`,
      cookie: admin.cookie,
      params: { endpointId },
    });
    const [delivery] = page.data.deliveries;
    expect(delivery).toMatchObject({ id: first!.headers["webhook-id"], status: "succeeded" });
    expect(delivery!.attempts.map((attempt) => [attempt.statusCode, attempt.responseExcerpt])).toEqual([
      [200, "thanks"],
      [500, "upstream down"],
    ]);
    const list = await callLoader(listLoader, { url: "/settings/webhooks", cookie: admin.cookie });
    expect(list.data.endpoints[0]).toMatchObject({ id: endpointId, lastDelivery: { status: "succeeded" } });
  });

  test("a receiver's Retry-After is honoured, up to an hour", async () => {
    const admin = await createUser({ role: "admin" });
    const hook = await receiver([
      { status: 429, headers: { "retry-after": "120" } },
      { status: 503, headers: { "retry-after": "86400" } },
    ]);
    await addEndpoint(admin, hook.url, ["message.received"]);
    await receiveInbound({ from: freshPhone(), to: SERVICE_NUMBER, body: "Slow down" });
    // The wait counts from the end of the attempt that was answered.
    const waitAfter = async () => {
      await runDueJobs();
      const [delivery] = await db.select().from(webhookDeliveries);
      const [attempt] = await db
        .select()
        .from(webhookAttempts)
        .orderBy(sql`${webhookAttempts.startedAt} desc`)
        .limit(1);
      return delivery!.nextAttemptAt!.getTime() - attempt!.startedAt.getTime() - attempt!.durationMs;
    };

    expect(await waitAfter()).toBeGreaterThanOrEqual(120_000);
    await retriesFallDue();
    const capped = await waitAfter();
    expect(capped).toBeGreaterThan(3_000_000);
    expect(capped).toBeLessThanOrEqual(3_600_000);
    expect(hook.received).toHaveLength(2);
  });

  test("a redirect is not followed: it is a failed attempt like any other answer", async () => {
    const admin = await createUser({ role: "admin" });
    const elsewhere = await receiver();
    const hook = await receiver([{ status: 307, headers: { location: elsewhere.url } }]);
    const { endpointId } = await addEndpoint(admin, hook.url, ["message.received"]);
    await receiveInbound({ from: freshPhone(), to: SERVICE_NUMBER, body: "Follow me" });
    await runDueJobs();

    expect(elsewhere.received).toEqual([]);
    const page = await callLoader(endpointLoader, {
      url: `/settings/webhooks/${endpointId}`,
      cookie: admin.cookie,
      params: { endpointId },
    });
    expect(page.data.deliveries[0]).toMatchObject({ status: "pending", attempts: [{ statusCode: 307 }] });
  });

  test("the admin resends a delivery: the receiver gets it again under its own id", async () => {
    const admin = await createUser({ role: "admin" });
    const hook = await receiver();
    // By name: the connection goes to the addresses the guard checked.
    const { endpointId } = await addEndpoint(admin, `http://localhost:${hook.port}/hooks`, ["message.received"]);
    await receiveInbound({ from: freshPhone(), to: SERVICE_NUMBER, body: "Once more" });
    await runDueJobs();
    const deliveryId = String(hook.received[0]!.headers["webhook-id"]);

    const resent = await callAction(endpointAction, {
      url: `/settings/webhooks/${endpointId}`,
      cookie: admin.cookie,
      params: { endpointId },
      form: { intent: "resend", deliveryId },
    });
    expect(resent).toHaveStatus(302);
    await runDueJobs();

    expect(hook.received.map((request) => request.headers["webhook-id"])).toEqual([deliveryId, deliveryId]);
  });

  test("each event reaches the endpoints subscribed to it, and no other", async () => {
    const admin = await createUser({ role: "admin" });
    const agent = await createUser({ role: "agent" });
    const handling = await receiver();
    const sending = await receiver();
    await addEndpoint(admin, handling.url, ["conversation.assigned", "conversation.resolved"]);
    await addEndpoint(admin, sending.url, ["message.sent", "message.status"]);
    const conversation = await createConversation({ contact: freshPhone() });

    await assign(conversation.id, agent.id, { actorUserId: admin.id });
    await resolve(conversation.id, { actorUserId: agent.id });
    const sent = await sendReply({
      conversation,
      body: "On its way",
      authorId: agent.id,
      idempotencyKey: crypto.randomUUID(),
    });
    expect(sent.ok).toBe(true);
    await runDueJobs();
    const [reply] = await db.select().from(messages).where(eq(messages.conversationId, conversation.id));
    await applyDeliveryReport({ providerMessageId: reply!.providerMessageId!, status: "delivered" });
    await runDueJobs();

    const types = (hook: Receiver) =>
      hook.received.map((request) => (JSON.parse(request.body) as { type: string }).type);
    expect(types(handling)).toEqual(["conversation.assigned", "conversation.resolved"]);
    expect(JSON.parse(handling.received[0]!.body)).toMatchObject({
      data: { id: conversation.id, assignee: { id: agent.id }, actor: { userId: admin.id } },
    });
    expect(types(sending).sort()).toEqual(["message.sent", "message.status"]);
    const status = sending.received.map((request) => JSON.parse(request.body) as { type: string; data: object });
    expect(status.find((event) => event.type === "message.status")!.data).toMatchObject({
      id: reply!.id,
      status: "delivered",
      body: "On its way",
    });
  });

  test("three days of failures turn the endpoint off, and admins see why", async () => {
    const admin = await createUser({ role: "admin" });
    const hook = await receiver([503]);
    const { endpointId } = await addEndpoint(admin, hook.url, ["message.received"]);
    await db
      .update(webhookEndpoints)
      .set({ failingSince: new Date(Date.now() - 3 * 86_400_000 - 60_000) })
      .where(eq(webhookEndpoints.id, endpointId));

    await receiveInbound({ from: freshPhone(), to: SERVICE_NUMBER, body: "Anyone?" });
    await runDueJobs();

    const list = await callLoader(listLoader, { url: "/settings/webhooks", cookie: admin.cookie });
    const [endpoint] = list.data.endpoints;
    expect(endpoint).toMatchObject({ id: endpointId, active: false });
    expect(endpoint!.disabledReason).toMatch(/every delivery failed for 3 days \(last: HTTP 503\)/);
    // Turned off, it gets nothing more, and its pending retry fails instead of posting.
    await retriesFallDue();
    await receiveInbound({ from: freshPhone(), to: SERVICE_NUMBER, body: "Still there?" });
    await runDueJobs();
    expect(hook.received).toHaveLength(1);
    const statuses = await db.select({ status: webhookDeliveries.status }).from(webhookDeliveries);
    expect(statuses).toEqual([{ status: "failed" }]);

    // Turned on again, it starts afresh.
    const saved = await callAction(endpointAction, {
      url: `/settings/webhooks/${endpointId}`,
      cookie: admin.cookie,
      params: { endpointId },
      form: { intent: "update", url: hook.url, active: "on", ...eventFields(["message.received"]) },
    });
    expect(saved).toHaveStatus(302);
    const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId));
    expect(row).toMatchObject({ active: true, disabledReason: null, failingSince: null });
  });

  test("a receiver answering 410 Gone turns the endpoint off at once", async () => {
    const admin = await createUser({ role: "admin" });
    const hook = await receiver([410]);
    const { endpointId } = await addEndpoint(admin, hook.url, ["message.received"]);
    await receiveInbound({ from: freshPhone(), to: SERVICE_NUMBER, body: "Hi" });
    await runDueJobs();
    const [row] = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, endpointId));
    expect(row).toMatchObject({ active: false });
    expect(row!.disabledReason).toMatch(/410 Gone/);
    expect(await db.select({ n: sql<number>`count(*)::int` }).from(webhookAttempts)).toEqual([{ n: 1 }]);
  });

  test("the form refuses private and reserved addresses, and keeps what was typed", async () => {
    const admin = await createUser({ role: "admin" });
    for (const url of [
      "http://10.1.2.3/hooks",
      "http://169.254.169.254/latest/meta-data",
      "http://100.64.0.1/",
      "http://[fd00::1]/",
      "http://[::ffff:10.0.0.1]/",
      "http://224.0.0.1/",
    ]) {
      const refused = await callAction(listAction, {
        url: "/settings/webhooks",
        cookie: admin.cookie,
        form: { intent: "create", url, ...eventFields(["message.received"]) },
      });
      expect(refused, url).toHaveStatus(400);
      expect(refused.data.result.error?.url?.[0], url).toMatch(/private or reserved network/);
      expect(refused.data.result.initialValue?.url).toBe(url);
    }
    expect(await db.select().from(webhookEndpoints)).toEqual([]);
  });

  test("the pages are for admins only: an agent gets 404", async () => {
    const admin = await createUser({ role: "admin" });
    const agent = await createUser({ role: "agent" });
    const { endpointId } = await addEndpoint(admin, "http://127.0.0.1:9/hooks", ["message.received"]);
    const asAgent = { cookie: agent.cookie, params: { endpointId } };

    await expect(callLoader(listLoader, { url: "/settings/webhooks", cookie: agent.cookie })).resolves.toHaveStatus(
      404,
    );
    await expect(
      callLoader(endpointLoader, { url: `/settings/webhooks/${endpointId}`, ...asAgent }),
    ).resolves.toHaveStatus(404);
    const deleted = await callAction(endpointAction, {
      url: `/settings/webhooks/${endpointId}`,
      ...asAgent,
      form: { intent: "delete" },
    });
    expect(deleted).toHaveStatus(404);
    expect(await db.select({ id: webhookEndpoints.id }).from(webhookEndpoints)).toEqual([{ id: endpointId }]);
  });

  test("after a new secret is made, deliveries carry both signatures for a day", async () => {
    const admin = await createUser({ role: "admin" });
    const hook = await receiver();
    const { endpointId, secret: old } = await addEndpoint(admin, hook.url, ["message.received"]);
    const rotated = await callAction(endpointAction, {
      url: `/settings/webhooks/${endpointId}`,
      cookie: admin.cookie,
      params: { endpointId },
      form: { intent: "rotate" },
    });
    expect(rotated).toHaveStatus(302);
    const page = await callLoader(endpointLoader, {
      url: `/settings/webhooks/${endpointId}`,
      cookie: admin.cookie,
      params: { endpointId },
    });
    const fresh = page.data.endpoint.secret!;
    expect(fresh).not.toBe(old);

    await receiveInbound({ from: freshPhone(), to: SERVICE_NUMBER, body: "Rotated" });
    await runDueJobs();

    expect(verify(fresh, hook.received[0]!).type).toBe("message.received");
    expect(verify(old, hook.received[0]!).type).toBe("message.received");
  });
});
