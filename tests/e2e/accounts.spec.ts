import type { Page } from "@playwright/test";
import { expect, register, signIn, STRONG_PASSWORD, submitRegistration, test } from "./fixtures";

test("register, sign out, a wrong password keeps the email, the right one returns to the page asked for", async ({
  page,
  javaScriptEnabled,
}) => {
  await page.goto("/");
  // With JavaScript every step must be a client-side navigation: this marker would not survive a reload.
  if (javaScriptEnabled) await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
  if (javaScriptEnabled) await page.getByRole("navigation").getByRole("link", { name: "Create account" }).click();

  const email = javaScriptEnabled ? await registerInApp(page) : await register(page);
  await expect(page.getByRole("heading", { name: "Your phone" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL("/");
  await expect(page.getByRole("navigation").getByRole("link", { name: "Sign in" })).toBeVisible();

  if (javaScriptEnabled) {
    await page.getByRole("navigation").getByRole("link", { name: "Sign in" }).click();
  } else {
    await page.goto("/settings/phone");
    await expect(page).toHaveURL("/login?redirectTo=%2Fsettings%2Fphone");
  }
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("definitely-wrong-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("Invalid email or password");
  await expect(page.getByLabel("Email")).toHaveValue(email);
  // The server never sends a password back; only a page rendered by the server can show that.
  if (!javaScriptEnabled) await expect(page.getByLabel("Password")).toHaveValue("");

  await page.getByLabel("Password").fill(STRONG_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  if (javaScriptEnabled) {
    // Signed in without a redirectTo: the default landing page.
    await expect(page).toHaveURL(/\/messages/);
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
  } else {
    await expect(page).toHaveURL("/settings/phone");
  }
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
});

async function registerInApp(page: Page) {
  const email = `E2E-${Date.now()}-${Math.random().toString(36).slice(2, 7)}@Example.com`;
  await submitRegistration(page, email);
  return email.toLowerCase();
}

test("registration errors come back inline with the typed values", async ({ page }) => {
  await page.goto("/register");
  await page.getByLabel("Name (optional)").fill("Grace");
  await page.getByLabel("Email").fill("grace@example.com");
  await page.getByLabel("Password", { exact: true }).fill("password123");
  await page.getByLabel("Confirm password").fill("password123");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText(/commonly used password/)).toBeVisible();
  await expect(page.getByLabel("Name (optional)")).toHaveValue("Grace");
  await expect(page.getByLabel("Email")).toHaveValue("grace@example.com");
});

test("an off-site redirectTo is ignored", async ({ page, signedIn }) => {
  const { email } = await signedIn.member();
  await page.goto("/settings/phone");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL("/");
  await page.goto(`/login?redirectTo=${encodeURIComponent("//evil.example/steal")}`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(STRONG_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/localhost:\d+\/messages/);
});

test("“Sign out everywhere” on the settings page signs out this browser and every other one", async ({
  page,
  browser,
  javaScriptEnabled,
  signedIn,
}) => {
  const { email } = await signedIn.member();
  const otherDevice = await browser.newContext({ javaScriptEnabled, baseURL: test.info().project.use.baseURL });
  const other = await otherDevice.newPage();
  await signIn(other, email);

  await page.goto("/settings/phone");
  await page.getByRole("button", { name: "End all sessions" }).click();
  await expect(page).toHaveURL("/login");
  await expect(page.getByRole("navigation").getByRole("link", { name: "Sign in" })).toBeVisible();

  await other.goto("/messages");
  await expect(other).toHaveURL("/login?redirectTo=%2Fmessages");
  await otherDevice.close();
});
