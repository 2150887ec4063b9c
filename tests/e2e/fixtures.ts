import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";
import { APP_DATABASE_URL } from "./main-app";
import { databaseAccounts, httpAccounts, STRONG_PASSWORD, uniqueEmail, VERIFICATION_SMS } from "./test-accounts";
import { scenarioFor } from "../../app/lib/simulator-scenarios";
import { formatPhone } from "../../app/lib/phone";

export { STRONG_PASSWORD, uniqueEmail };

/** A valid Dutch mobile number nobody else in this run uses, on which the simulator delivers normally. */
export function uniquePhone(): string {
  const phone = `+3161${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;
  // A number that plays one of the simulator's failures would make an ordinary test fail at random.
  return scenarioFor(phone) ? uniquePhone() : phone;
}

/**
 * Signs a browser context (the test's own unless another is given) in to a fresh account, without
 * the register form or the SMS round trip: those have tests of their own.
 */
export type SignedIn = {
  member(context?: BrowserContext): Promise<{ email: string }>;
  /** A member whose number is already verified, so their conversation exists. */
  memberWithPhone(context?: BrowserContext): Promise<{ email: string; phone: string }>;
  /** A fresh admin; without a database to write to, the shared one global-setup.ts registered. */
  admin(context?: BrowserContext): Promise<void>;
  /** A fresh agent with a display name: sees every conversation (needs the e2e database). */
  agent(context?: BrowserContext): Promise<{ name: string }>;
};

export const test = base.extend<{ signedIn: SignedIn }>({
  // The server trusts X-Forwarded-For in e2e: each test looks like its own client,
  // so per-address rate limits do not leak between tests.
  extraHTTPHeaders: async ({ extraHTTPHeaders }, use) => {
    const octet = () => Math.floor(Math.random() * 250) + 1;
    await use({ ...extraHTTPHeaders, "X-Forwarded-For": `10.${octet()}.${octet()}.${octet()}` });
  },
  signedIn: async ({ context, baseURL, extraHTTPHeaders, playwright }, use) => {
    const accounts = APP_DATABASE_URL
      ? databaseAccounts(APP_DATABASE_URL, baseURL!)
      : httpAccounts(() => playwright.request.newContext({ baseURL, extraHTTPHeaders }));
    await use({
      async member(target = context) {
        const { email, cookies } = await accounts.member();
        await target.addCookies(cookies);
        return { email };
      },
      async memberWithPhone(target = context) {
        const phone = uniquePhone();
        const { email, cookies } = await accounts.member(phone);
        await target.addCookies(cookies);
        return { email, phone };
      },
      async admin(target = context) {
        await target.addCookies(await accounts.admin());
      },
      async agent(target = context) {
        const name = `Agent ${Math.random().toString(36).slice(2, 8)}`;
        await target.addCookies(await accounts.agent(name));
        return { name };
      },
    });
    await accounts.close();
  },
});
export { expect };

export async function signIn(page: Page, email: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(STRONG_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
}

export async function register(page: Page, email = uniqueEmail()) {
  await page.goto("/register");
  return submitRegistration(page, email);
}

/** Fills in and sends the register form already on the page. */
export async function submitRegistration(page: Page, email: string) {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(STRONG_PASSWORD);
  await page.getByLabel("Confirm password").fill(STRONG_PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/settings\/phone$/);
  return email;
}

/** Reads the newest verification code the simulator "delivered" to a handset. */
export async function readCodeOnHandset(page: Page, phone: string): Promise<string> {
  const handset = await page.context().newPage();
  await handset.goto(`/dev/phone?number=${encodeURIComponent(phone)}`);
  const sms = handset
    .getByRole("list", { name: /SMS on/ })
    .getByRole("listitem")
    .filter({ hasText: VERIFICATION_SMS });
  await expect(sms.last()).toBeVisible();
  const text = await sms.last().innerText();
  await handset.close();
  return VERIFICATION_SMS.exec(text)![1]!;
}

/**
 * Registers and verifies a fresh phone through the simulator; returns the E.164 number.
 * The code is read on the handset from `reader`'s browser context: in deployed mode
 * only an admin may open the handset, since it shows everyone's codes.
 */
export async function verifyPhone(page: Page, phone = uniquePhone(), reader: Page = page) {
  await page.goto("/settings/phone");
  await page.getByLabel("Mobile number").fill(phone);
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByRole("heading", { name: "Enter your code" })).toBeVisible();
  await page.getByLabel("Code").fill(await readCodeOnHandset(reader, phone));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByText("Verified! This number is now yours:")).toBeVisible();
  return phone;
}

export const liveIndicator = (page: Page) =>
  page
    .getByRole("navigation", { name: "Main" })
    .getByRole("status")
    .filter({ hasText: /^Live updates: / });

/** Marks the document; a reload or a full navigation would lose the mark. */
export async function markDocument(page: Page) {
  await page.evaluate(() => ((window as { liveMark?: boolean }).liveMark = true));
}
export const stillSameDocument = (page: Page) =>
  page.evaluate(() => (window as { liveMark?: boolean }).liveMark === true);

/** Texts the service number from a simulated handset, through the real inbound webhook. */
export async function textFromHandset(page: Page, phone: string, body: string) {
  const handset = await page.context().newPage();
  await handset.goto(`/dev/phone?number=${encodeURIComponent(phone)}`);
  await handset.getByLabel(/^Text /).fill(body);
  await handset.getByRole("button", { name: "Send" }).click();
  await expect(handset.getByRole("list", { name: /SMS on/ })).toContainText(body);
  await handset.close();
}

/** A new contact texts `body` in; `page` (an agent's or admin's) opens that conversation. Nobody knows the contact's name yet. */
export async function openNewConversation(page: Page, body = "When are you open?") {
  const phone = uniquePhone();
  const texted = await page.request.post("/dev/phone", { form: { number: phone, body } });
  expect(texted.ok()).toBe(true);
  await page.goto(`/messages?${new URLSearchParams({ q: phone })}`);
  await page
    .getByRole("list", { name: "Conversations" })
    .getByRole("link", { name: formatPhone(phone) })
    .click();
  await expect(page.getByRole("heading", { name: formatPhone(phone), level: 1 })).toBeVisible();
  return phone;
}
