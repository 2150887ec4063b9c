import type { Page } from "@playwright/test";
import { expectAccessible, expectNoSidewaysScroll } from "./axe";
import { expect, test, uniquePhone } from "./fixtures";

/** A number of ours nobody else in this run adds, so its hours touch no other test's conversations. */
const uniqueOurNumber = () => `+31970${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** Sends `body` from the handset already open to one of our numbers. */
async function textFrom(handset: Page, number: string, body: string) {
  await handset.getByLabel("To", { exact: true }).selectOption(number);
  await handset.getByLabel("Text message").fill(body);
  await handset.getByRole("button", { name: "Send SMS" }).click();
  await expect(handset.getByRole("list", { name: /SMS on/ })).toContainText(body);
}

const received = (handset: Page, text: string | RegExp) =>
  handset
    .getByRole("list", { name: /SMS on/ })
    .getByRole("listitem")
    .filter({ hasText: text });

test("an admin closes a number's hours; two texts get one away reply, and HELP gets the help text", async ({
  page,
  signedIn,
  javaScriptEnabled,
}) => {
  await signedIn.admin();
  const label = `Night desk ${javaScriptEnabled ? "JS" : "plain"} ${Math.floor(Math.random() * 1e6)}`;
  const number = uniqueOurNumber();
  await page.goto("/team/numbers");
  await page.getByLabel("Number", { exact: true }).fill(number);
  await page.getByLabel("Label", { exact: true }).fill(label);
  await page.getByRole("button", { name: "Add number" }).click();
  await page.getByRole("link", { name: `Hours and auto-replies for ${label}` }).click();

  await expect(page.getByRole("heading", { name: `Hours and auto-replies: ${label}` })).toBeVisible();
  // A first visit suggests office hours, switched off.
  await expect(page.getByLabel("Friday", { exact: true })).toBeChecked();
  await expect(page.getByLabel("Saturday", { exact: true })).not.toBeChecked();
  await expect(page.getByLabel("Send the away message outside these hours")).not.toBeChecked();
  // Closed every day: whenever this runs, it is outside the hours.
  await page.getByLabel("Send the away message outside these hours").check();
  for (const day of WEEKDAYS) await page.getByLabel(day, { exact: true }).uncheck();
  const away = `${label} is closed, we answer in the morning.`;
  await page.getByLabel("Away message", { exact: true }).fill(away);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect(page.getByLabel("Away message", { exact: true })).toHaveValue(away);
  await expect(page.getByLabel("Monday", { exact: true })).not.toBeChecked();
  // axe runs as a script in the page: with JavaScript on only.
  if (javaScriptEnabled) {
    for (const width of [1280, 375]) {
      await page.setViewportSize({ width, height: 800 });
      await expectAccessible(page, `the hours page (${width} px)`);
    }
    await expectNoSidewaysScroll(page, "the hours page");
  }

  const phone = uniquePhone();
  const handset = await page.context().newPage();
  await handset.goto(`/dev/phone?number=${encodeURIComponent(phone)}`);
  await textFrom(handset, number, "Are you open?");
  await textFrom(handset, number, "Hello??");
  await expect(async () => {
    await handset.reload();
    await expect(received(handset, away)).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });

  // Answered after both texts were handled: by then a second away reply would be there too.
  await textFrom(handset, number, "help");
  await expect(async () => {
    await handset.reload();
    await expect(received(handset, /Reply STOP to opt out\./)).toHaveCount(1, { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await expect(received(handset, away)).toHaveCount(1);
  await expect(received(handset, /Reply STOP to opt out\./)).toContainText(`${label}: this number`);
});
