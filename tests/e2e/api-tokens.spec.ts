import { expectAccessible, expectNoSidewaysScroll } from "./axe";
import { expect, test } from "./fixtures";

test("a person creates a token (shown once), reads their conversations with it, revokes it, and it gets 401", async ({
  page,
  signedIn,
  playwright,
  baseURL,
  javaScriptEnabled,
}) => {
  const { phone } = await signedIn.memberWithPhone();
  await page.goto("/messages");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "API tokens" }).click();
  await expect(page.getByRole("heading", { name: "API tokens", level: 1 })).toBeVisible();
  await expect(page.getByRole("link", { name: "OpenAPI document" })).toHaveAttribute("href", "/api/v1/openapi.json");

  const name = `Script ${Math.random().toString(36).slice(2, 8)}`;
  await page.getByLabel("Name").fill(name);
  await page.getByRole("radio", { name: /^Read List/ }).check();
  await page.getByLabel("After this many days").fill("30");
  await page.getByRole("button", { name: "Create token" }).click();
  const shown = page.getByLabel(`Token “${name}”`);
  await expect(shown).toHaveValue(/^bl_[\w-]{43}$/);
  const token = await shown.inputValue();
  // axe runs as a script in the page.
  if (javaScriptEnabled) {
    await expectAccessible(page, "/settings/tokens with a new token");
    await page.setViewportSize({ width: 375, height: 800 });
    await expectNoSidewaysScroll(page, "/settings/tokens with a new token at 375 px");
  }

  await page.reload();
  await expect(page.getByRole("heading", { name, level: 2 })).toBeVisible();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  await expect(page.locator("body")).not.toContainText(token);

  const api = await playwright.request.newContext({ baseURL, extraHTTPHeaders: { Authorization: `Bearer ${token}` } });
  const list = await api.get("/api/v1/conversations");
  expect(list.status()).toBe(200);
  const { data } = (await list.json()) as { data: { contact: { number: string } }[] };
  expect(data.map((conversation) => conversation.contact.number)).toEqual([phone]);

  await page.getByText(`Revoke… ${name}`).click();
  await page.getByRole("button", { name: `Revoke “${name}”` }).click();
  await expect(page.getByRole("heading", { name, level: 2 })).toHaveCount(0);
  const refused = await api.get("/api/v1/conversations");
  expect(refused.status()).toBe(401);
  expect(refused.headers()["content-type"]).toBe("application/problem+json");
  await api.dispose();
});
