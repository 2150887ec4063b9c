import type { APIRequestContext, BrowserContext } from "@playwright/test";
import { formatPhone } from "../../app/lib/phone";
import { BIRD_APP_URL } from "./bird-app";
import { expect, STRONG_PASSWORD, test, textFromHandset, uniquePhone } from "./fixtures";
import { SERVICE_NUMBER } from "./main-app";
import { ADMIN, registerOverHttp } from "./test-accounts";

// Everything here runs against the app whose simulator stands in for the Bird platform: its
// handsets deliver signed Bird events to /webhooks/bird, and replies go out through the real
// Bird gateway (fetch, Bearer key, Idempotency-Key) to the simulated /v1/sms/messages.
test.use({ baseURL: BIRD_APP_URL });

/** Signs the context in as this app's admin: the first account on its own database. */
async function signInAsAdmin(context: BrowserContext, request: APIRequestContext) {
  // Both projects race to register the first account; whoever loses finds the email taken.
  await registerOverHttp(request, ADMIN.email, "Bird Admin").catch(() => undefined);
  const page = await context.newPage();
  await page.goto("/login");
  await page.getByLabel("Email").fill(ADMIN.email);
  await page.getByLabel("Password").fill(STRONG_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await page.close();
}

test.beforeEach(async ({ context, playwright }) => {
  const request = await playwright.request.newContext({ baseURL: BIRD_APP_URL });
  await signInAsAdmin(context, request);
  await request.dispose();
});

test("a text in Bird's format reaches the inbox, the reply goes out through Bird and shows Delivered", async ({
  page,
}) => {
  const phone = uniquePhone();
  const text = `Is the Bird path working? ${phone.slice(-4)}`;
  await textFromHandset(page, phone, text);

  await page.goto("/messages");
  await page.getByRole("list", { name: "Conversations" }).getByRole("link").filter({ hasText: text }).click();
  await expect(page.getByRole("list", { name: "Messages" })).toContainText(text);
  await page.getByLabel(/^Reply to/).fill("Yes, loud and clear.");
  await page.getByRole("button", { name: "Send" }).click();

  const reply = page
    .getByRole("list", { name: "Messages" })
    .locator("li[data-message-id]")
    .filter({ hasText: "Yes, loud and clear." });
  await expect(reply).toBeVisible();
  // The simulated platform sends sms.delivered about a second later; without JavaScript a reload shows it.
  await expect(async () => {
    await page.reload();
    await expect(reply).toContainText("Delivered", { timeout: 1000 });
  }).toPass({ timeout: 15_000 });

  // The handset received it from our number, as Bird delivered it.
  await page.goto(`/dev/phone?number=${encodeURIComponent(phone)}`);
  await expect(page.getByRole("list", { name: /SMS on/ })).toContainText("Yes, loud and clear.");
});

test("the setup page shows the workspace and its numbers, adds one to Birdline and registers the webhook", async ({
  page,
}, testInfo) => {
  await page.goto("/team/provider");
  await expect(page.getByRole("heading", { name: "SMS provider" })).toBeVisible();
  await expect(page.getByText("The key belongs to the workspace Simulated workspace.")).toBeVisible();

  const numbers = page.getByRole("list", { name: "Bird numbers" });
  // The default number is already ours; each project adds numbers of its own (odd ones, even ones), one
  // not yet added, so the test holds when it runs again against the same app.
  await expect(numbers.getByRole("listitem", { name: SERVICE_NUMBER })).toContainText("In Birdline");
  const own = testInfo.project.name === "js" ? [1, 3, 5, 7] : [2, 4, 6, 8];
  const addable = await numbers
    .getByRole("listitem")
    .filter({ has: page.getByRole("button", { name: "Add to Birdline" }) })
    .evaluateAll((rows) => rows.map((row) => row.getAttribute("aria-label")));
  const number = own.map((n) => `+44770090000${n}`).find((candidate) => addable.includes(candidate));
  expect(number, "a number of this project's still to add").toBeDefined();
  const row = numbers.getByRole("listitem", { name: number! });
  await row.getByRole("button", { name: "Add to Birdline" }).click();
  await expect(row).toContainText("In Birdline");

  await page.getByRole("button", { name: /Register (another )?webhook/ }).click();
  await expect(page.getByRole("status").filter({ hasText: "Webhook registered" })).toContainText("(whk_simulated_");
  await expect(page.getByRole("list", { name: "Registered webhooks" })).toContainText(`${BIRD_APP_URL}/webhooks/bird`);
  await page.screenshot({ path: testInfo.outputPath("provider.png"), fullPage: true });

  // The added number is one of ours now, and a handset can text it.
  await page.goto("/team/numbers");
  await expect(page.getByRole("list", { name: "Numbers" })).toContainText(formatPhone(number!));
});
