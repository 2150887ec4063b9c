import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import webpush from "web-push";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { runDueJobs } from "~/.server/background";
import { endAllSessions } from "~/.server/identity/session";
import { pushAboutMessages } from "~/.server/notifications/push";
import { MAX_DEVICES, saveSubscription } from "~/.server/notifications/subscriptions";
import { db } from "~/.server/platform/db/client";
import { users } from "~/.server/platform/db/schema";
import * as subscriptionsRoute from "~/routes/push.subscriptions";
import * as settings from "~/routes/settings.notifications";
import { callAction } from "../support/route-call";
import { createConversation, createMessages, createUser, freshPhone, type TestUser } from "../support/factories";

// Warnings and errors reach stderr here, as in production, so what a failed push logs can be read.
vi.hoisted(() => void (process.env.LOG_LEVEL = "warn"));

// Who a push actually reaches, decided when it is sent as well as when it is queued: the push
// service is stood in for by recording what would have been posted to which endpoint.
let posted: string[];
let pushService: { mockRestore(): void };
beforeEach(() => {
  posted = [];
  pushService = vi.spyOn(webpush, "sendNotification").mockImplementation(async (subscription) => {
    posted.push(subscription.endpoint);
    return { statusCode: 201, body: "", headers: {} };
  });
});
afterEach(() => pushService.mockRestore());

const keys = () => ({ p256dh: "B".repeat(87), auth: "A".repeat(22) });

const IN_A_MONTH = new Date(Date.now() + 30 * 86_400_000);

/** `user`'s browser at `endpoint`, subscribed under a sign-in of its own that lasts until `signedInUntil`. */
async function subscribe(
  user: TestUser,
  endpoint = `https://fcm.googleapis.com/fcm/send/${randomUUID()}`,
  signedInUntil = IN_A_MONTH,
) {
  await saveSubscription(
    user.id,
    { endpoint, keys: keys() },
    { device: "Chrome on Linux", session: { sessionId: randomUUID(), sessionVersion: 0, expiresAt: signedInUntil } },
  );
  return endpoint;
}

/** A contact's text in a conversation nobody has claimed, with its pushes worked out and queued. */
async function contactTexts(body = "My account number is 12345") {
  const conversation = await createConversation({ contact: freshPhone() });
  const [message] = await createMessages(conversation, [{ body }]);
  await pushAboutMessages([message!.id]);
}

describe("who a push reaches", () => {
  test("a browser someone else subscribes next hears only of them, not of whoever had it before", async () => {
    const agent = await createUser({ role: "agent" });
    const phone = freshPhone();
    const member = await createUser({ phone });
    // The agent's sign-in on a shared computer lapsed without signing out; the member signs in there and turns pushes on.
    const shared = await subscribe(agent);
    await subscribe(member, shared);

    await contactTexts();
    await runDueJobs();
    expect(posted).not.toContain(shared);
  });

  test("a browser whose sign-in lapsed (never signed out) hears nothing more", async () => {
    const agent = await createUser({ role: "agent" });
    const lapsed = await subscribe(agent, undefined, new Date(Date.now() - 60_000));
    const current = await subscribe(agent);

    await contactTexts();
    await runDueJobs();
    expect(posted).toContain(current);
    expect(posted).not.toContain(lapsed);
  });

  test("a push queued before its user was deactivated or signed out everywhere is not sent", async () => {
    const [leaver, signedOut, stays] = [
      await createUser({ role: "agent" }),
      await createUser({ role: "agent" }),
      await createUser({ role: "agent" }),
    ];
    const [leaverBrowser, signedOutBrowser, staysBrowser] = [
      await subscribe(leaver),
      await subscribe(signedOut),
      await subscribe(stays),
    ];
    await contactTexts();

    await db.update(users).set({ deactivatedAt: new Date() }).where(eq(users.id, leaver.id));
    await endAllSessions(signedOut.id);
    await runDueJobs();
    expect(posted).toContain(staysBrowser);
    expect(posted).not.toContain(leaverBrowser);
    expect(posted).not.toContain(signedOutBrowser);
  });
});

test("a push the push service refuses is logged without the text it carries", async () => {
  pushService.mockRestore();
  vi.spyOn(webpush, "sendNotification").mockRejectedValue(
    new webpush.WebPushError("Received unexpected response code", 500, {}, "", "https://fcm.googleapis.com/x"),
  );
  const written: string[] = [];
  const stderr = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    await subscribe(await createUser({ role: "agent" }));
    await contactTexts("The alarm code is 7391");
    await runDueJobs();
  } finally {
    stderr.mockRestore();
  }
  expect(written.join("")).toMatch(/send_push/);
  expect(written.join("")).not.toMatch(/7391/);
});

describe("what one account can make the server send", () => {
  const postSubscription = (user: TestUser, endpoint: string) =>
    callAction(subscriptionsRoute.action, {
      request: new Request("http://localhost:3000/push/subscriptions", {
        method: "POST",
        headers: { "content-type": "application/json", cookie: user.cookie },
        body: JSON.stringify({ endpoint, keys: keys() }),
      }),
    });

  test("an account keeps a handful of devices, not a thousand endpoints for every push to fan out to", async () => {
    const member = await createUser();
    const answers = [];
    for (let device = 0; device <= MAX_DEVICES; device++)
      answers.push(
        (await postSubscription(member, `https://updates.push.services.mozilla.com/wpush/v2/${device}`)).status,
      );
    expect(answers).toEqual([...Array(MAX_DEVICES).fill(201), 400]);
    // The same browser subscribing again (new keys) is no new device.
    expect((await postSubscription(member, "https://updates.push.services.mozilla.com/wpush/v2/0")).status).toBe(201);
  });

  test("test notifications are limited: a button held down does not make the server flood the push services", async () => {
    const agent = await createUser({ role: "agent" });
    await subscribe(agent);
    const statuses = [];
    for (let click = 0; click < 8; click++)
      statuses.push(
        (
          await callAction(settings.action, {
            url: "/settings/notifications",
            cookie: agent.cookie,
            form: { intent: "test" },
          })
        ).status,
      );
    expect(statuses.filter((status) => status === 302).length).toBeLessThan(8);
    expect(statuses.at(-1)).toBe(429);
  });
});

test("a burst of texts in one conversation rings each browser once, with the latest", async () => {
  const agent = await createUser({ role: "agent" });
  const browser = await subscribe(agent);
  const bodies: string[] = [];
  pushService.mockRestore();
  const spy = vi.spyOn(webpush, "sendNotification").mockImplementation(async (subscription, payload) => {
    if (subscription.endpoint === browser) bodies.push((JSON.parse(String(payload)) as { body: string }).body);
    return { statusCode: 201, body: "", headers: {} };
  });
  try {
    const conversation = await createConversation({ contact: freshPhone() });
    const burst = await createMessages(
      conversation,
      ["Hi", "I ordered on Monday", "Order 1234"].map((body, second) => ({
        body,
        createdAt: new Date(Date.now() + second * 1000),
      })),
    );
    await pushAboutMessages(burst.map((message) => message.id).reverse());
    await runDueJobs();
  } finally {
    spy.mockRestore();
  }
  expect(bodies).toEqual(["Order 1234"]);
});
