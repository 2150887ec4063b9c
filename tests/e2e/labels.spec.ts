import { formatPhone } from "../../app/lib/phone";
import { expect, liveIndicator, markDocument, openNewConversation, stillSameDocument, test } from "./fixtures";

test("an admin creates a label, an agent puts it on a conversation, and the list filtered by it shows that conversation", async ({
  page,
  browser,
  javaScriptEnabled,
  signedIn,
}) => {
  // The label list is the whole team's: a name no other test or browser project uses.
  const name = `billing-${Math.random().toString(36).slice(2, 8)}`;
  await signedIn.admin();
  await page.goto("/team/labels");
  await page.getByLabel("Name").last().fill(name);
  await page.getByLabel("Colour").last().selectOption("green");
  await page.getByRole("button", { name: "Add label" }).click();
  await expect(page.getByRole("list", { name: "Labels" }).getByRole("link", { name: name })).toBeVisible();

  const agentContext = await browser.newContext({ javaScriptEnabled });
  await signedIn.agent(agentContext);
  const agent = await agentContext.newPage();
  const phone = await openNewConversation(agent, "Where is my invoice?");
  const labels = agent.getByRole("region", { name: "Labels" });
  if (javaScriptEnabled) {
    await expect(liveIndicator(agent)).toHaveText("Live updates: Live");
    await markDocument(agent);
  }
  await labels.getByLabel("Label to add").selectOption({ label: name });
  await labels.getByRole("button", { name: "Add label" }).click();
  await expect(labels.getByRole("link", { name })).toBeVisible();
  await expect(labels).not.toHaveAttribute("aria-busy");
  // With JavaScript the page stays (a fetcher); without, the form posts and the thread comes back.
  if (javaScriptEnabled) expect(await stillSameDocument(agent)).toBe(true);

  // The chip is a link to the list filtered by the label.
  await labels.getByRole("link", { name }).click();
  await expect(agent).toHaveURL(/\/messages\?label=/);
  const filtered = agent.url();
  const list = agent.getByRole("list", { name: "Conversations" });
  await expect(list.getByRole("link", { name: formatPhone(phone) })).toBeVisible();
  await expect(list.getByRole("link", { name: formatPhone(phone) })).toHaveCount(1);

  // Taken off again, the filtered list no longer has it.
  await list.getByRole("link", { name: formatPhone(phone) }).click();
  await labels.getByRole("button", { name: `Remove label ${name}` }).click();
  await expect(labels.getByRole("link", { name })).toHaveCount(0);
  await expect(labels).not.toHaveAttribute("aria-busy");
  await agent.goto(filtered);
  await expect(agent.getByText("Nothing here.")).toBeVisible();
  await expect(agent.getByRole("list", { name: "Conversations" })).toHaveCount(0);
  await agentContext.close();
});

test("an agent sets themselves away from the header and back, staying on the page", async ({
  page,
  javaScriptEnabled,
  signedIn,
}) => {
  await signedIn.agent();
  await page.goto("/settings/replies");
  const toggle = page.getByTestId("availability");
  await expect(toggle).toHaveText(/Available/);
  if (javaScriptEnabled) {
    await expect(liveIndicator(page)).toHaveText("Live updates: Live");
    await markDocument(page);
  }
  await toggle.click();
  await expect(toggle).toHaveText(/^Away/);
  // With JavaScript it says Away at once; saved, it is no longer busy.
  await expect(toggle).not.toHaveAttribute("aria-busy");
  if (javaScriptEnabled) expect(await stillSameDocument(page)).toBe(true);
  await expect(page).toHaveURL(/\/settings\/replies$/);
  await page.reload();
  await expect(page.getByTestId("availability")).toHaveText(/^Away/);
  await page.getByTestId("availability").click();
  await expect(page.getByTestId("availability")).toHaveText(/Available/);
});

test("a member has no availability switch", async ({ page, signedIn }) => {
  await signedIn.memberWithPhone();
  await page.goto("/messages");
  await expect(page.getByRole("button", { name: "Sign out" })).toBeAttached();
  await expect(page.getByTestId("availability")).toHaveCount(0);
});
