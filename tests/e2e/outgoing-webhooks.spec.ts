import { startReceiver } from "../support/webhook-receiver";
import { expectAccessible, expectNoSidewaysScroll } from "./axe";
import { expect, test, uniquePhone } from "./fixtures";

// The e2e app runs in local mode, where a receiver on this machine is allowed.

test("an admin adds an endpoint, sees its secret, and a texted SMS shows up as a delivery", async ({
  page,
  signedIn,
  javaScriptEnabled,
}) => {
  const receiver = await startReceiver();
  try {
    await signedIn.admin();
    await page.goto("/messages");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Team" }).click();
    await page.getByRole("navigation", { name: "Team" }).getByRole("link", { name: "Outgoing webhooks" }).click();
    await expect(page.getByRole("heading", { name: "Outgoing webhooks", level: 1 })).toBeVisible();

    // Nothing ticked: the form says what is missing and keeps the address.
    await page.getByLabel("Address (URL)").fill(receiver.url);
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await expect(page.getByText("Choose at least one event.")).toBeVisible();
    await expect(page.getByLabel("Address (URL)")).toHaveValue(receiver.url);

    await page.getByRole("checkbox", { name: /message\.received/ }).check();
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await expect(page.getByRole("heading", { name: receiver.url, level: 1 })).toBeVisible();
    await expect(page.getByTestId("signing-secret")).toHaveText(/^whsec_[A-Za-z0-9+/]{43}=$/);
    // axe runs in the page: only with JavaScript.
    if (javaScriptEnabled) await expectAccessible(page, "an endpoint's page");

    const phone = uniquePhone();
    const texted = await page.request.post("/dev/phone", { form: { number: phone, body: "Where is my parcel?" } });
    expect(texted.ok()).toBe(true);
    // Other tests' SMS reach this endpoint too while it exists: wait for this one's.
    await expect.poll(() => receiver.received.some((request) => request.body.includes(phone))).toBe(true);

    await expect(async () => {
      await page.reload();
      const delivery = page
        .getByRole("listitem")
        .filter({ has: page.getByRole("heading", { name: "message.received" }) });
      await expect(delivery.first()).toContainText("Delivered");
      await expect(delivery.first()).toContainText("HTTP 200");
    }).toPass();
    await expectNoSidewaysScroll(page, "an endpoint's page");

    await page.getByText("Delete this endpoint…").click();
    await page.getByRole("button", { name: "Delete endpoint" }).click();
    await expect(page.getByRole("heading", { name: "Outgoing webhooks", level: 1 })).toBeVisible();
    await expect(page.getByRole("link", { name: receiver.url })).toHaveCount(0);
  } finally {
    await receiver.close();
  }
});

test("an agent is told the page does not exist", async ({ page, signedIn }) => {
  await signedIn.agent();
  const response = await page.goto("/settings/webhooks");
  expect(response?.status()).toBe(404);
});
