import { expect, test } from "./fixtures";

test("the start page explains the product and links to sign-up", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Your customers text");
  await expect(page.getByRole("link", { name: "Create an account" })).toHaveAttribute("href", "/register");
});

test("signed in, the start page leads to the inbox instead of sign-up", async ({ page, signedIn }) => {
  await signedIn.member();
  await page.goto("/");
  await expect(page.getByRole("link", { name: "Open your inbox" })).toHaveAttribute("href", "/messages");
  await expect(page.getByRole("link", { name: "Create an account" })).toHaveCount(0);
});

test("an unknown page answers 404 with a way back", async ({ page }) => {
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await page.getByRole("link", { name: "Back to the start page" }).click();
  await expect(page).toHaveURL("/");
});

test("the health check answers", async ({ request }) => {
  const response = await request.get("/healthz");
  expect(response.status()).toBe(200);
  expect(await response.json()).toEqual({ ok: true, streams: expect.any(Number) });
});
