import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import type { Page } from "@playwright/test";
import {
  expect,
  liveIndicator,
  markDocument,
  register,
  signIn,
  stillSameDocument,
  STRONG_PASSWORD,
  test,
  textFromHandset,
  uniqueEmail,
  uniquePhone,
  verifyPhone,
} from "./fixtures";
import { PROXY_STACKS, WEBHOOK_SECRET, type ProxyKind } from "./proxy/stacks";

// Runs only in the proxy-* projects: the browser talks https to nginx or Caddy, configured
// from the README's snippets (proxy/start-proxy.ts), in front of an app in deployed mode.
// That app's first account becomes its admin, so these tests run in order.
test.describe.configure({ mode: "serial" });

const admin = { email: uniqueEmail() };
const accessLog = () => readFileSync(PROXY_STACKS[test.info().project.metadata.proxy as ProxyKind].accessLog, "utf8");

const sessionCookie = async (page: Page) =>
  (await page.context().cookies()).find((cookie) => cookie.name.endsWith("authjs.session-token"));

test("the first account signed up through the proxy is the admin, and its session cookie is Secure", async ({
  page,
}) => {
  await register(page, admin.email);
  await expect(
    page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Team", exact: true }),
  ).toBeVisible();
  expect(await sessionCookie(page)).toMatchObject({
    name: "__Secure-authjs.session-token",
    secure: true,
    httpOnly: true,
  });
});

test("a member verifies a phone, sees an SMS arrive and the reply delivered without reloading, signs out and in again", async ({
  page: member,
  browser,
}) => {
  const email = await register(member);
  const adminContext = await browser.newContext();
  const handset = await adminContext.newPage();
  await signIn(handset, admin.email);
  const phone = await verifyPhone(member, uniquePhone(), handset);

  await member.goto("/messages");
  await expect(member).toHaveURL(/\/messages\/[0-9a-f-]{36}$/);
  await expect(liveIndicator(member)).toHaveText("Live updates: Live");
  await markDocument(member);
  await textFromHandset(handset, phone, "Does this reach you through the proxy?");
  const thread = member.getByRole("list", { name: "Messages" });
  await expect(thread).toContainText("Does this reach you through the proxy?");

  await member.getByLabel(/^Reply to/).fill("It does, both ways.");
  await member.getByRole("button", { name: "Send" }).click();
  const reply = thread.locator("li[data-message-id]").filter({ hasText: "It does, both ways." });
  // The simulator reports delivery about a second after the send.
  await expect(reply).toContainText("Delivered", { timeout: 15_000 });
  expect(await stillSameDocument(member)).toBe(true);
  await adminContext.close();

  await member.getByRole("button", { name: "Sign out" }).click();
  await expect(member.getByRole("navigation").getByRole("link", { name: "Sign in" })).toBeVisible();
  expect(await sessionCookie(member)).toBeUndefined();
  await signIn(member, email);
});

test("a form post from another site is refused", async ({ page, baseURL }) => {
  // The test serves evil.example itself: a page elsewhere with a form aimed at this Birdline.
  await page.route("https://evil.example/", (route) =>
    route.fulfill({
      contentType: "text/html",
      body: `<form method="post" action="${baseURL}/login">
        <input name="email" value="${admin.email}"><input name="password" value="${STRONG_PASSWORD}"><button>Sign in</button>
      </form>`,
    }),
  );
  await page.goto("https://evil.example/");
  const answer = page.waitForResponse(`${baseURL}/login`);
  await page.getByRole("button", { name: "Sign in" }).click();
  expect((await answer).status()).toBe(403);
  await expect(page.locator("body")).toHaveText("Form post from another origin refused.");
});

test("a webhook through the proxy is stored, and its secret stays out of the proxy's access log", async ({ page }) => {
  await page.goto("/");
  const answer = await page.evaluate(
    async ([url, body]) => {
      const response = await fetch(url!, { method: "POST", headers: { "content-type": "application/json" }, body });
      return { status: response.status, body: await response.json() };
    },
    [
      `/webhooks/messagebird?secret=${WEBHOOK_SECRET}`,
      JSON.stringify({
        originator: uniquePhone(),
        recipient: "+447700900000",
        payload: "Via the proxy",
        messageId: randomUUID(),
      }),
    ],
  );
  expect(answer).toEqual({ status: 200, body: { status: "stored", id: expect.any(String) } });
  await expect.poll(accessLog).toContain("/webhooks/messagebird");
  expect(accessLog()).not.toContain(WEBHOOK_SECRET);
});

test("a connection that never sends a request is closed by the proxy within seconds, not held open", async () => {
  const { proxyPort } = PROXY_STACKS[test.info().project.metadata.proxy as ProxyKind];
  const started = Date.now();
  const closedAfter = await new Promise<number>((resolve) => {
    const socket = connect(proxyPort, "127.0.0.1");
    socket.on("error", () => {});
    socket.on("close", () => resolve(Date.now() - started));
    // The README's 10 s, with room for a busy machine; without the setting Caddy holds it for minutes.
    setTimeout(() => socket.destroy(), 20_000);
  });
  expect(closedAfter).toBeLessThan(16_000);
});
