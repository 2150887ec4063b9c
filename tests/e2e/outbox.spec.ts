import type { Page } from "@playwright/test";
import { expect, test, textFromHandset, uniquePhone } from "./fixtures";

/** A number on which the simulator plays an outage: the first two attempts fail, the third goes out. */
const phoneDuringOutage = () => `${uniquePhone().slice(0, -4)}0500`;

/** An admin answering a new contact whose SMS provider is "down"; resolves with the reply's bubble. */
async function replyDuringOutage(page: Page, text: string) {
  const phone = phoneDuringOutage();
  const question = `Anyone there? (${phone})`;
  await textFromHandset(page, phone, question);
  await page.goto("/messages");
  await page.getByRole("list", { name: "Conversations" }).getByRole("link").filter({ hasText: question }).click();
  await page.getByLabel(/^Reply to/).fill(text);
  await page.getByRole("button", { name: "Send" }).click();
  return {
    phone,
    bubble: page.getByRole("list", { name: "Messages" }).locator("li[data-message-id]").filter({ hasText: text }),
  };
}

/** With JavaScript the page updates by itself; without, the user reloads to see. */
async function eventually(page: Page, javaScriptEnabled: boolean, check: () => Promise<void>, timeout = 30_000) {
  if (javaScriptEnabled) return check();
  await expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout });
}

test("a reply during an outage shows Waiting with the reason, then goes out and shows Delivered", async ({
  page,
  javaScriptEnabled,
  signedIn,
}) => {
  await signedIn.admin();
  const text = `We are on it (${javaScriptEnabled ? "JS" : "no JS"})`;
  const { bubble } = await replyDuringOutage(page, text);

  await eventually(page, javaScriptEnabled, () =>
    expect(bubble).toContainText(/Waiting · MessageBird unreachable \(simulated\) · next try (in \d+ s|now)/, {
      timeout: javaScriptEnabled ? 10_000 : 1_000,
    }),
  );
  // Nothing to do: the admin is told why, and that it resolves by itself.
  await expect(page.getByRole("status").filter({ hasText: "unreachable since" })).toContainText(/repl(y|ies) waiting/);

  await eventually(page, javaScriptEnabled, () =>
    expect(bubble).toContainText("Delivered", { timeout: javaScriptEnabled ? 30_000 : 1_000 }),
  );
});

test("a waiting reply can be cancelled: it never goes out", async ({ page, javaScriptEnabled, signedIn }) => {
  await signedIn.admin();
  const text = `Never mind (${javaScriptEnabled ? "JS" : "no JS"})`;
  const { phone, bubble } = await replyDuringOutage(page, text);
  const cancel = bubble.getByRole("button", { name: "Cancel" });
  await eventually(page, javaScriptEnabled, () =>
    expect(cancel).toBeVisible({ timeout: javaScriptEnabled ? 10_000 : 1_000 }),
  );
  await cancel.click();
  await expect(bubble).toContainText("Cancelled: never sent");
  await expect(bubble.getByRole("button")).toHaveCount(0);

  // Well past the simulated outage: still not sent.
  await page.waitForTimeout(6_000);
  await page.reload();
  await expect(bubble).toContainText("Cancelled: never sent");
  await page.goto(`/dev/phone?number=${encodeURIComponent(phone)}`);
  await expect(page.getByRole("list", { name: /SMS on/ })).not.toContainText(text);
});
