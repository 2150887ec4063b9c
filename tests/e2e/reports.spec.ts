import type { Page } from "@playwright/test";
import { expectAccessible, expectNoSidewaysScroll } from "./axe";
import { expect, openNewConversation, test } from "./fixtures";

const CHARTS = [
  "Messages per day: inbound and outbound, stacked",
  "Median first response time per day",
  "Inbound messages by weekday and hour",
];

/** A contact texts in and the signed-in agent answers: one start, one reply by a person. */
async function answerAText(page: Page) {
  await openNewConversation(page, "Do you open on Sunday?");
  await page.getByLabel(/^Reply to/).fill("From 10:00 to 16:00.");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("list", { name: "Messages" })).toContainText("From 10:00 to 16:00.");
}

test("an agent's reports: three charts with their tables, and their reply in the agents' table", async ({
  page,
  signedIn,
}) => {
  const { name } = await signedIn.agent();
  await answerAText(page);

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).click();
  await expect(page.getByRole("heading", { name: "Reports", level: 1 })).toBeVisible();
  await page.getByLabel("Period", { exact: true }).selectOption("today");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/period=today/);

  await expect(page.locator("svg[role=img]")).toHaveCount(3);
  for (const chart of CHARTS) await expect(page.getByRole("img", { name: chart })).toBeVisible();
  // Each chart's numbers are one click away, with or without JavaScript (a <details>).
  for (const heading of [
    "Messages per day",
    "First response time per day (median)",
    "When texts come in: weekday × hour",
  ]) {
    const card = page.getByRole("region", { name: heading, exact: true });
    const table = card.getByRole("table");
    await expect(table).toBeHidden();
    await card.getByText("Show the numbers").click();
    await expect(table).toBeVisible();
  }

  // Their name, 1 reply, 0 resolved, then their median first response.
  await expect(page.getByRole("row", { name: new RegExp(`^${name} 1 0 \\d`) })).toBeVisible();
});

test("members do not find the reports", async ({ page, signedIn }) => {
  await signedIn.memberWithPhone();
  const answer = await page.goto("/reports");
  expect(answer?.status()).toBe(404);
  expect((await page.request.get("/reports.csv?table=summary")).status()).toBe(404);
});

test("the reports pass axe at 1280 and 375 px and fit a phone @js-only", async ({ page, signedIn }) => {
  await signedIn.admin();
  await answerAText(page);
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto("/reports");
    for (const summary of await page.locator("main details > summary").all()) await summary.click();
    await expectAccessible(page, `/reports (${width} px)`);
    await expectNoSidewaysScroll(page, `/reports (${width} px)`);
  }
});
