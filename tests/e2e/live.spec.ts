import { expect, liveIndicator, markDocument, stillSameDocument, test, textFromHandset } from "./fixtures";

test("the nav says Live once the stream is open, and claims nothing without JavaScript", async ({
  page,
  javaScriptEnabled,
  signedIn,
}) => {
  await signedIn.member();
  await page.goto("/settings/phone");
  if (javaScriptEnabled) await expect(liveIndicator(page)).toHaveText("Live updates: Live");
  else await expect(liveIndicator(page)).toHaveCount(0);
});

// Live updates need JavaScript (the no-js project leaves @js-only out; without JS a reload shows the same, threads.spec.ts).
test.describe("without reloading @js-only", () => {
  test("an inbound SMS shows in the member's thread and the team inbox, the agent's reply in the member's thread, and delivery flips its status", async ({
    page: member,
    browser,
    signedIn,
  }) => {
    const { phone } = await signedIn.memberWithPhone();
    await member.goto("/messages");
    await expect(member).toHaveURL(/\/messages\/[0-9a-f-]{36}$/);
    await expect(liveIndicator(member)).toHaveText("Live updates: Live");
    await markDocument(member);

    const agentContext = await browser.newContext({ extraHTTPHeaders: { "X-Forwarded-For": "203.0.113.150" } });
    await signedIn.admin(agentContext);
    const agent = await agentContext.newPage();
    await agent.goto("/messages");
    await expect(liveIndicator(agent)).toHaveText("Live updates: Live");
    await markDocument(agent);

    await textFromHandset(member, phone, "Is my parcel on its way?");
    const thread = member.getByRole("list", { name: "Messages" });
    await expect(thread).toContainText("Is my parcel on its way?");
    const row = agent
      .getByRole("list", { name: "Conversations" })
      .getByRole("link")
      .filter({ hasText: "Is my parcel on its way?" });
    await expect(row).toContainText("1 unread");
    expect(await stillSameDocument(member)).toBe(true);
    expect(await stillSameDocument(agent)).toBe(true);

    await row.click();
    await agent.getByLabel(/^Reply to/).fill("Yes, it arrives tomorrow.");
    await agent.getByRole("button", { name: "Send" }).click();
    const reply = thread.locator("li[data-message-id]").filter({ hasText: "Yes, it arrives tomorrow." });
    await expect(reply).toBeVisible();
    // The simulator reports delivery about a second after the send.
    await expect(reply).toContainText("Delivered", { timeout: 15_000 });
    expect(await stillSameDocument(member)).toBe(true);
    await agentContext.close();
  });
});
