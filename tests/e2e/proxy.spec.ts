import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
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
const stack = () => PROXY_STACKS[test.info().project.metadata.proxy as ProxyKind];

const sessionCookie = async (page: Page) =>
  (await page.context().cookies()).find((cookie) => cookie.name.endsWith("authjs.session-token"));

test("the first account signed up through the proxy is the admin, and its session cookie is Secure", async ({ page }) => {
  await register(page, admin.email);
  await expect(page.getByRole("navigation").getByRole("link", { name: "Webhooks" })).toBeVisible();
  expect(await sessionCookie(page)).toMatchObject({ name: "__Secure-authjs.session-token", secure: true, httpOnly: true });
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

test("a form post whose Origin is another site is refused; the same post from the public origin is not", async ({ page }) => {
  // Only the Origin of the browser's own sign-in post is rewritten: form token and cookies stay
  // valid, so the refusal can only come from the origin check.
  await page.route(
    (url) => url.pathname.startsWith("/login"),
    (route) =>
      route.request().method() === "POST"
        ? route.continue({ headers: { ...route.request().headers(), origin: "https://evil.example" } })
        : route.continue(),
  );
  await page.goto("/login");
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password").fill(STRONG_PASSWORD);
  const refused = page.waitForResponse((response) => response.request().method() === "POST");
  await page.getByRole("button", { name: "Sign in" }).click();
  expect((await refused).status()).toBe(403);
  expect(await sessionCookie(page)).toBeUndefined();

  await page.unrouteAll();
  await signIn(page, admin.email);
  expect(await sessionCookie(page)).toBeDefined();
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
      JSON.stringify({ originator: uniquePhone(), recipient: "+447700900000", payload: "Via the proxy", messageId: randomUUID() }),
    ],
  );
  expect(answer).toEqual({ status: 200, body: { status: "stored", id: expect.any(String) } });
  await expect.poll(() => readFileSync(stack().accessLog, "utf8")).toContain("/webhooks/messagebird");
  expect(readFileSync(stack().accessLog, "utf8")).not.toContain(WEBHOOK_SECRET);
});
