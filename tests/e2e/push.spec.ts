import type { BrowserContext, Page } from "@playwright/test";
import webpush from "web-push";
import { startPushService } from "../support/push-service";
import { expect, test, type SignedIn } from "./fixtures";
import { PUSH_SERVICE_FILES } from "./push-service-files";

// Chromium finds and installs the app, subscribes through /settings/notifications, and shows what a
// push carries. No browser vendor's push service is reachable from here, so the subscription the
// browser hands back points at this spec's own (https, its certificate trusted by the app): what
// arrives there is decrypted with that subscription's keys and handed to the service worker as a
// push service would, through the DevTools protocol.

type Subscription = ReturnType<Awaited<ReturnType<typeof startPushService>>["browser"]>["subscription"];

/** PushManager as the browser's would behave, with `subscription` as what its push service hands out. */
function usePushService(page: Page, subscription: Subscription) {
  return page.addInitScript((subscription) => {
    // Holds the server key the subscription was made for (base64url), as the push service would.
    const KEY = "e2e-push-subscription";
    const bytes = (base64url: string) =>
      Uint8Array.from(atob(base64url.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0)).buffer;
    const handOut = () => ({
      endpoint: subscription.endpoint,
      options: { userVisibleOnly: true, applicationServerKey: bytes(sessionStorage.getItem(KEY) ?? "") },
      toJSON: () => subscription,
      unsubscribe: async () => (sessionStorage.removeItem(KEY), true),
    });
    PushManager.prototype.subscribe = async (options) => (
      sessionStorage.setItem(KEY, String(options?.applicationServerKey)),
      handOut() as never
    );
    PushManager.prototype.getSubscription = async () => (sessionStorage.getItem(KEY) ? (handOut() as never) : null);
  }, subscription);
}

test("Chromium finds Birdline installable, and offline shows the offline page @js-only", async ({ page, context }) => {
  await page.goto("/login");
  await page.evaluate(() => navigator.serviceWorker.ready);
  const devtools = await context.newCDPSession(page);
  const { installabilityErrors } = await devtools.send("Page.getInstallabilityErrors");
  // Playwright's contexts are incognito profiles, where nothing installs; anything else would be ours.
  expect(installabilityErrors.filter(({ errorId }) => errorId !== "in-incognito")).toEqual([]);
  const { data } = await devtools.send("Page.getAppManifest");
  expect(JSON.parse(data ?? "{}")).toMatchObject({
    start_url: "/messages",
    display: "standalone",
    short_name: "Birdline",
  });

  // The worker cached the offline page when it installed; with the network gone it stands in for any page.
  await page.reload();
  await context.setOffline(true);
  await page.goto("/messages").catch(() => {});
  await expect(page.getByRole("heading", { name: "Birdline needs a connection" })).toBeVisible();
  await context.setOffline(false);
});

test("an agent turns notifications on, the device is listed, and a test push shows a notification @js-only", async ({
  page,
  context,
  signedIn,
  baseURL,
}) => {
  const service = await startPushService(PUSH_SERVICE_FILES);
  try {
    const browser = service.browser();
    await usePushService(page, browser.subscription);
    await context.grantPermissions(["notifications"], { origin: baseURL });
    await signedIn.agent();

    await page.goto("/settings/notifications");
    await expect(page.getByText("Notifications are off on this device.")).toBeVisible();
    await page.getByRole("button", { name: "Turn on notifications" }).click();
    await expect(page.getByText("Notifications are on")).toBeVisible();
    const devices = page.getByRole("list", { name: "Devices that get notifications" });
    await expect(devices).toContainText("(this device)");

    await page.getByRole("button", { name: "Send a test notification" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Sent to your device." })).toBeVisible();
    await expect.poll(() => browser.pushes().length, { timeout: 15_000 }).toBe(1);
    const push = browser.decrypt(browser.pushes()[0]!);

    const devtools = await context.newCDPSession(page);
    const registration = new Promise<string>((resolve) =>
      devtools.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
        const ours = registrations.find((candidate) => candidate.scopeURL === `${baseURL}/`);
        if (ours) resolve(ours.registrationId);
      }),
    );
    await devtools.send("ServiceWorker.enable");
    await devtools.send("ServiceWorker.deliverPushMessage", {
      origin: baseURL!,
      registrationId: await registration,
      data: JSON.stringify(push),
    });
    const shown = () =>
      page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map(({ title, body, tag }) => ({
          title,
          body,
          tag,
        })),
      );
    await expect.poll(shown).toEqual([{ title: "Birdline", body: "Notifications work on this device.", tag: "test" }]);

    await page.getByRole("button", { name: "Turn off on this device" }).click();
    await expect(page.getByText("Notifications are off on this device.")).toBeVisible();
    await expect(page.getByText("No device gets notifications yet.")).toBeVisible();
  } finally {
    service.stop();
  }
});

/** An agent who turned notifications on in `page` (through a push service of the spec's own), then `rest`. */
async function withNotificationsOn(
  { page, context, signedIn, baseURL }: { page: Page; context: BrowserContext; signedIn: SignedIn; baseURL?: string },
  rest: () => Promise<void>,
) {
  const service = await startPushService(PUSH_SERVICE_FILES);
  const { subscription } = service.browser();
  try {
    await usePushService(page, subscription);
    await context.grantPermissions(["notifications"], { origin: baseURL });
    await signedIn.agent();
    await page.goto("/settings/notifications");
    await page.getByRole("button", { name: "Turn on notifications" }).click();
    await expect(page.getByText("Notifications are on")).toBeVisible();
    await rest();
  } finally {
    // Left subscribed, the signed-in agent would be sent a push for every later test's SMS, to a service that is gone.
    await page.request.delete("/push/subscriptions", { data: { endpoint: subscription.endpoint } });
    service.stop();
  }
}

test("after signing out, the next person on this browser is told notifications are off until they turn them on @js-only", async ({
  page,
  context,
  signedIn,
  baseURL,
}) => {
  await withNotificationsOn({ page, context, signedIn, baseURL }, async () => {
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page.getByRole("navigation").getByRole("link", { name: "Sign in" })).toBeVisible();

    // The browser still holds its subscription; the server forgot it with the sign-in.
    await signedIn.agent();
    await page.goto("/settings/notifications");
    await expect(page.getByText("Notifications are off on this device.")).toBeVisible();
    await expect(page.getByText("No device gets notifications yet.")).toBeVisible();
    await page.getByRole("button", { name: "Turn on notifications" }).click();
    await expect(page.getByText("Notifications are on")).toBeVisible();
    await expect(page.getByRole("list", { name: "Devices that get notifications" })).toContainText("(this device)");
  });
});

test("a subscription made for an earlier server key shows as off, and turning on makes a new one @js-only", async ({
  page,
  context,
  signedIn,
  baseURL,
}) => {
  await withNotificationsOn({ page, context, signedIn, baseURL }, async () => {
    // The operator replaced the VAPID keys: the push services refuse what the server sends to this subscription.
    await page.evaluate(
      (key) => sessionStorage.setItem("e2e-push-subscription", key),
      webpush.generateVAPIDKeys().publicKey,
    );
    await page.reload();
    await expect(page.getByText("Notifications are off on this device.")).toBeVisible();
    await page.getByRole("button", { name: "Turn on notifications" }).click();
    await expect(page.getByText("Notifications are on")).toBeVisible();
  });
});

test("notification settings are kept, with JavaScript or without", async ({ page, signedIn }) => {
  await signedIn.agent();
  await page.goto("/settings/notifications");
  const unassigned = page.getByRole("checkbox", { name: "Messages in unassigned conversations" });
  const hideText = page.getByRole("checkbox", { name: "Hide message text on the lock screen" });
  await expect(unassigned).toBeChecked();
  await expect(hideText).not.toBeChecked();
  await unassigned.uncheck();
  await hideText.check();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await page.reload();
  await expect(unassigned).not.toBeChecked();
  await expect(hideText).toBeChecked();
  await expect(page.getByRole("checkbox", { name: "A new conversation" })).toBeChecked();
});

test("a member is told what they will hear about, and no staff choices", async ({ page, signedIn }) => {
  await signedIn.memberWithPhone();
  await page.goto("/settings/notifications");
  await expect(page.getByText("You are told when the team replies to you.")).toBeVisible();
  await expect(page.getByRole("checkbox", { name: "A new conversation" })).toHaveCount(0);
});
