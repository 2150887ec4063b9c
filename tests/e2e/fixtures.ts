import { test as base, expect, type Page } from "@playwright/test";

export const STRONG_PASSWORD = "sunny-otter-42-lamp";
/** Registered by global-setup.ts before any test: the first account, so the admin. */
export const ADMIN = { email: "admin@example.com" };

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(++counter).toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export const uniqueEmail = () => `e2e-${unique()}@example.com`;
/** A valid Dutch mobile number nobody else in this run uses. */
export const uniquePhone = () => `+3161${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;

export const test = base.extend({
  // The server trusts X-Forwarded-For in e2e: each test looks like its own client,
  // so per-address rate limits do not leak between tests.
  extraHTTPHeaders: async ({}, use) => {
    const octet = () => Math.floor(Math.random() * 250) + 1;
    await use({ "X-Forwarded-For": `10.${octet()}.${octet()}.${octet()}` });
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
  const sms = handset.getByRole("list", { name: /SMS on/ }).getByRole("listitem").filter({ hasText: "Your Birdline code is" });
  await expect(sms.last()).toBeVisible();
  const text = await sms.last().innerText();
  await handset.close();
  return /code is (\d{6})/.exec(text)![1]!;
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
  page.getByRole("navigation", { name: "Main" }).getByRole("status").filter({ hasText: /^Live updates: / });

/** Marks the document; a reload or a full navigation would lose the mark. */
export async function markDocument(page: Page) {
  await page.evaluate(() => ((window as { liveMark?: boolean }).liveMark = true));
}
export const stillSameDocument = (page: Page) => page.evaluate(() => (window as { liveMark?: boolean }).liveMark === true);

/** Texts the service number from a simulated handset, through the real inbound webhook. */
export async function textFromHandset(page: Page, phone: string, body: string) {
  const handset = await page.context().newPage();
  await handset.goto(`/dev/phone?number=${encodeURIComponent(phone)}`);
  await handset.getByLabel(/^Text /).fill(body);
  await handset.getByRole("button", { name: "Send" }).click();
  await expect(handset.getByRole("list", { name: /SMS on/ })).toContainText(body);
  await handset.close();
}
