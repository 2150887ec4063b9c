import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import webpush from "web-push";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { db } from "~/.server/platform/db/client";
import { conversations, pushSubscriptions } from "~/.server/platform/db/schema";
import { formatPhone } from "~/lib/phone";
import { startApp, stopApp, type AppProcess } from "../support/app-process";
import { createConversation, createUser, freshPhone, type TestUser } from "../support/factories";
import { startPushService, verifiedVapid } from "../support/push-service";

// The built app with VAPID keys, posting to a push service of our own over https (its certificate
// trusted the way an operator would: NODE_EXTRA_CA_CERTS). Every assertion is on what that push
// service received and what the browser holding the subscription would read from it.
const vapid = webpush.generateVAPIDKeys();
let service: Awaited<ReturnType<typeof startPushService>>;
let app: AppProcess;

beforeAll(async () => {
  service = await startPushService();
  app = await startApp({
    NODE_EXTRA_CA_CERTS: service.certificate,
    PUSH_ALLOWED_HOSTS: "localhost",
    VAPID_PUBLIC_KEY: vapid.publicKey,
    VAPID_PRIVATE_KEY: vapid.privateKey,
    VAPID_SUBJECT: "mailto:ops@example.com",
  });
});
afterAll(async () => {
  await stopApp(app);
  service.stop();
});

/** A same-origin request from one of the app's pages, as the browser sends it. */
function fromPage(user: TestUser | null, method: string, body: string, contentType = "application/json") {
  return fetch(`${app.url}/push/subscriptions`, {
    method,
    headers: { "content-type": contentType, origin: app.url, ...(user && { cookie: user.cookie }) },
    body,
  });
}

async function subscribe(user: TestUser) {
  const browser = service.browser();
  expect(await fromPage(user, "POST", JSON.stringify(browser.subscription))).toHaveStatus(201);
  return browser;
}

const textIn = (from: string, payload: string) =>
  fetch(`${app.url}/webhooks/messagebird?secret=${process.env.MESSAGEBIRD_WEBHOOK_SECRET}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ originator: from, recipient: "+447700900000", payload, messageId: randomUUID() }),
  });

async function replyAs(agent: TestUser, conversationId: string, body: string) {
  const answer = await fetch(`${app.url}/messages/${conversationId}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", origin: app.url, cookie: agent.cookie },
    body: new URLSearchParams({ intent: "send", body, idempotencyKey: randomUUID() }).toString(),
  });
  expect(answer).toHaveStatus(302);
}

/** Until the app has no push work left: whatever was going to be pushed has been. */
const pushesSettled = () =>
  vi.waitFor(
    async () => {
      const pending = (await db.execute(
        sql`select count(*)::int as count from graphile_worker.jobs
            where task_identifier in ('inbound_stored', 'reply_stored', 'push_messages', 'send_push')`,
      )) as unknown as { count: number }[];
      expect(pending[0]!.count).toBe(0);
    },
    { timeout: 20_000, interval: 100 },
  );

const arrives = <T>(check: () => T) => vi.waitFor(check, { timeout: 20_000, interval: 100 });

describe("Web Push over https", () => {
  test("a contact's text reaches an agent's browser encrypted for it, signed with the server's VAPID key", async () => {
    const agent = await createUser({ role: "agent" });
    const browser = await subscribe(agent);
    const contact = freshPhone();
    expect(await textIn(contact, "Is my order on its way?")).toHaveStatus(200);

    const [push] = await arrives(() => {
      expect(browser.pushes()).toHaveLength(1);
      return browser.pushes();
    });
    const shown = browser.decrypt(push!);
    expect(shown).toMatchObject({ title: formatPhone(contact), body: "Is my order on its way?" });
    expect(shown.url).toBe(`/messages/${shown.tag as string}`);
    expect(push!.headers).toMatchObject({ "content-encoding": "aes128gcm", ttl: "86400", urgency: "high" });
    const { key, claims } = verifiedVapid(push!.headers.authorization as string);
    expect(key).toBe(vapid.publicKey);
    expect(claims).toMatchObject({ aud: service.origin, sub: "mailto:ops@example.com" });
  });

  test("a member hears of the team's replies in their own conversation only, and nobody of their own texts", async () => {
    const phone = freshPhone();
    const member = await createUser({ phone });
    const own = await createConversation({ contact: phone, userId: member.id });
    const someoneElses = await createConversation();
    const agent = await createUser({ role: "agent" });
    const [memberBrowser, agentBrowser] = [await subscribe(member), await subscribe(agent)];

    await replyAs(agent, someoneElses.id, "Your parcel left the warehouse");
    await replyAs(agent, own.id, "We received your return");
    await arrives(() => expect(memberBrowser.pushes()).toHaveLength(1));
    await pushesSettled();

    expect(memberBrowser.pushes().map(memberBrowser.decrypt)).toEqual([
      expect.objectContaining({ tag: own.id, body: "We received your return" }),
    ]);
    // The agent wrote both replies: nobody is told of what they did themselves.
    expect(agentBrowser.pushes()).toEqual([]);
  });

  test("staff hear of texts in their own and in unassigned conversations, not of a colleague's", async () => {
    const [ana, ben] = [await createUser({ role: "agent" }), await createUser({ role: "agent" })];
    const [anas, nobodys] = [freshPhone(), freshPhone()];
    for (const contact of [anas, nobodys]) expect(await textIn(contact, "first")).toHaveStatus(200);
    await pushesSettled();
    const [anaBrowser, benBrowser] = [await subscribe(ana), await subscribe(ben)];
    const conversationOf = async (contact: string) =>
      (await db.select().from(conversations).where(eq(conversations.contactNumber, contact)))[0]!.id;
    await db
      .update(conversations)
      .set({ assigneeId: ana.id })
      .where(eq(conversations.id, await conversationOf(anas)));

    await textIn(anas, "second, to Ana");
    await textIn(nobodys, "second, to nobody");
    await pushesSettled();
    const tags = (browser: typeof anaBrowser) =>
      browser
        .pushes()
        .map((push) => browser.decrypt(push).tag)
        .sort();
    expect(tags(anaBrowser)).toEqual([await conversationOf(anas), await conversationOf(nobodys)].sort());
    expect(tags(benBrowser)).toEqual([await conversationOf(nobodys)]);
  });

  test("signing out, here or everywhere, ends the pushes to the browsers signed in that way", async () => {
    const [here, everywhere] = [await createUser({ role: "agent" }), await createUser({ role: "agent" })];
    const [hereBrowser, everywhereBrowser, stays] = [
      await subscribe(here),
      await subscribe(everywhere),
      await subscribe(await createUser({ role: "agent" })),
    ];
    const logout = (user: TestUser, form: Record<string, string>) =>
      fetch(`${app.url}/logout`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: app.url, cookie: user.cookie },
        body: new URLSearchParams(form).toString(),
      });
    expect(await logout(here, {})).toHaveStatus(302);
    expect(await logout(everywhere, { intent: "sign-out-everywhere" })).toHaveStatus(302);
    expect(await db.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, here.id))).toEqual([]);

    await textIn(freshPhone(), "Anyone there?");
    await arrives(() => expect(stays.pushes()).toHaveLength(1));
    await pushesSettled();
    expect(hereBrowser.pushes()).toEqual([]);
    expect(everywhereBrowser.pushes()).toEqual([]);
  });

  test("hidden text: the lock screen says only that a message came", async () => {
    const agent = await createUser({ role: "agent" });
    const browser = await subscribe(agent);
    const saved = await fetch(`${app.url}/settings/notifications`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: app.url, cookie: agent.cookie },
      body: new URLSearchParams({ intent: "preferences", newConversation: "on", hideText: "on" }).toString(),
    });
    expect(saved).toHaveStatus(302);
    await textIn(freshPhone(), "My PIN is 4321");
    await arrives(() => expect(browser.pushes()).toHaveLength(1));
    expect(browser.decrypt(browser.pushes()[0]!)).toMatchObject({ body: "New message" });
  });

  test("a subscription the push service says is gone (410) is removed; one that fails otherwise is tried again", async () => {
    const [gone, flaky] = [await createUser({ role: "agent" }), await createUser({ role: "agent" })];
    const [goneBrowser, flakyBrowser] = [await subscribe(gone), await subscribe(flaky)];
    goneBrowser.answer(410);
    flakyBrowser.answer(500);
    await textIn(freshPhone(), "Hello?");

    await arrives(async () => {
      const rows = await db.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, gone.id));
      expect(rows).toEqual([]);
    });
    await arrives(() => expect(flakyBrowser.pushes()).toHaveLength(2));
    const [first, second] = flakyBrowser.pushes().map(flakyBrowser.decrypt);
    expect(second).toEqual(first);
    expect(goneBrowser.pushes()).toHaveLength(1);
  });
});

describe("POST and DELETE /push/subscriptions", () => {
  test("refuses endpoints that are not https on a known push service, and bad keys, with the reason", async () => {
    const user = await createUser({ role: "agent" });
    const { subscription } = service.browser();
    const refusals = [
      { ...subscription, endpoint: "https://push.example.net/send/abc" },
      { ...subscription, endpoint: "https://169.254.169.254/latest/meta-data" },
      { ...subscription, endpoint: subscription.endpoint.replace("https:", "http:") },
      { ...subscription, endpoint: "https://user:pass@fcm.googleapis.com/fcm/send/x" },
      // A host name the URL standard accepts but web-push's parser (Node's legacy url.parse) cuts at the `;`, `'` or `{`:
      // it would post to 169.254.169.254 or 127.0.0.1.
      { ...subscription, endpoint: "https://169.254.169.254;.fcm.googleapis.com/x" },
      { ...subscription, endpoint: "https://127.0.0.1'.push.services.mozilla.com/x" },
      { ...subscription, endpoint: "https://internal{.notify.windows.com/x" },
      { ...subscription, keys: { p256dh: "short", auth: subscription.keys.auth } },
      { endpoint: subscription.endpoint },
    ];
    for (const body of refusals) {
      const answer = await fromPage(user, "POST", JSON.stringify(body));
      expect(answer).toHaveStatus(400);
      expect(((await answer.json()) as { error: string }).error).toMatch(/endpoint|keys/);
    }
    expect(await db.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, user.id))).toEqual([]);
  });

  test("needs a signed-in user, JSON, and a page of our own; DELETE forgets the device", async () => {
    const user = await createUser({ role: "member" });
    const { subscription } = service.browser();
    const body = JSON.stringify(subscription);
    expect(await fromPage(null, "POST", body)).toHaveStatus(401);
    expect(
      await fromPage(
        user,
        "POST",
        new URLSearchParams({ endpoint: "x" }).toString(),
        "application/x-www-form-urlencoded",
      ),
    ).toHaveStatus(415);
    const foreign = await fetch(`${app.url}/push/subscriptions`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example", cookie: user.cookie },
      body,
    });
    expect(foreign).toHaveStatus(403);
    expect(await fromPage(user, "POST", "{not json")).toHaveStatus(400);

    expect(await fromPage(user, "POST", body)).toHaveStatus(201);
    // Subscribing again (the browser renewed its keys) keeps one row per device.
    expect(await fromPage(user, "POST", body)).toHaveStatus(201);
    const rows = () => db.select().from(pushSubscriptions).where(eq(pushSubscriptions.userId, user.id));
    expect(await rows()).toHaveLength(1);
    expect(await fromPage(user, "DELETE", JSON.stringify({ endpoint: subscription.endpoint }))).toHaveStatus(204);
    expect(await rows()).toEqual([]);
  });
});
