import { formatPhone } from "../../app/lib/phone";
import { expect, liveIndicator, markDocument, stillSameDocument, test } from "./fixtures";

test("an agent names a contact and leaves a note; the member whose number it is sees neither", async ({
  page,
  browser,
  signedIn,
  javaScriptEnabled,
}) => {
  const { phone } = await signedIn.memberWithPhone();
  await page.goto("/messages");
  await expect(page).toHaveURL(/\/messages\/[0-9a-f-]{36}$/);
  const memberThread = page.url();

  const agentPage = await browser.newPage({ javaScriptEnabled });
  await signedIn.agent(agentPage.context());
  await agentPage.goto(`/messages?${new URLSearchParams({ q: phone })}`);
  await agentPage.getByRole("list", { name: "Conversations" }).getByRole("link").first().click();
  await expect(agentPage).toHaveURL(/\/messages\/[0-9a-f-]{36}/);

  // Unique per run: the JS and no-JS projects share one team inbox.
  const name = `Maria ${phone.slice(-4)}`;
  const panel = agentPage.getByRole("complementary", { name: "Contact and team notes" });
  await panel.getByLabel("Name", { exact: true }).fill(name);
  await panel.getByLabel("About them").fill("VIP, prefers Dutch");
  await panel.getByRole("button", { name: "Save contact" }).click();

  const heading = agentPage.locator("#thread-heading");
  await expect(heading).toHaveText(name);
  await expect(agentPage.getByTestId("contact-number")).toHaveText(formatPhone(phone));
  await expect(agentPage).toHaveTitle(new RegExp(`${name} · ${formatPhone(phone).replaceAll("+", "\\+")}`));

  const note = `Called her back about the refund (${phone})`;
  await panel.getByLabel("Note", { exact: true }).fill(note);
  await panel.getByRole("button", { name: "Add note" }).click();
  const shown = agentPage.locator("li[data-note-id]").filter({ hasText: note });
  await expect(shown).toBeVisible();
  await expect(shown).toContainText("Note · only your team sees this");
  await expect(shown).toContainText("You");
  if (javaScriptEnabled) await expect(panel.getByLabel("Note", { exact: true })).toHaveValue("");

  // The list (wide screens show it beside the thread) names them too, with the number beside.
  await agentPage.goto(`/messages?${new URLSearchParams({ q: name })}`);
  const row = agentPage.getByRole("list", { name: "Conversations" }).getByRole("link").first();
  await expect(row).toContainText(name);
  await expect(row).toContainText(formatPhone(phone));
  await agentPage.close();

  await page.goto(memberThread);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(formatPhone(phone));
  const content = await page.content();
  for (const secret of [note, "only your team sees this", name, "VIP, prefers Dutch", "Save contact"])
    expect(content).not.toContain(secret);
});

// Live updates need JavaScript; without it a reload shows the same (the test above).
test("a note and a new name reach another agent's open thread without a reload @js-only", async ({
  page,
  browser,
  signedIn,
}) => {
  const { phone } = await signedIn.memberWithPhone();
  await signedIn.agent();
  await page.goto(`/messages?${new URLSearchParams({ q: phone })}`);
  await page.getByRole("list", { name: "Conversations" }).getByRole("link").first().click();
  await expect(page).toHaveURL(/\/messages\/[0-9a-f-]{36}/);
  const thread = page.url();
  await expect(liveIndicator(page)).toHaveText("Live updates: Live");
  await markDocument(page);

  const colleagueContext = await browser.newContext({ extraHTTPHeaders: { "X-Forwarded-For": "203.0.113.151" } });
  await signedIn.agent(colleagueContext);
  const colleague = await colleagueContext.newPage();
  await colleague.goto(thread);
  const panel = colleague.getByRole("complementary", { name: "Contact and team notes" });
  const note = `Spoke to them on the phone (${phone})`;
  await panel.getByLabel("Note", { exact: true }).fill(note);
  await panel.getByRole("button", { name: "Add note" }).click();
  const name = `Live ${phone.slice(-4)}`;
  await panel.getByLabel("Name", { exact: true }).fill(name);
  await panel.getByRole("button", { name: "Save contact" }).click();

  await expect(page.locator("li[data-note-id]").filter({ hasText: note })).toBeVisible();
  await expect(page.locator("#thread-heading")).toHaveText(name);
  await expect(page).toHaveTitle(new RegExp(name));
  expect(await stillSameDocument(page)).toBe(true);
  await colleagueContext.close();
});
