import { expect, markDocument, stillSameDocument, test, textFromHandset, uniquePhone } from "./fixtures";

test("an agent takes an unassigned conversation and answers; the member sees 'Support', an admin the agent's name", async ({
  page,
  browser,
  javaScriptEnabled,
  signedIn,
}) => {
  const { name: agentName } = await signedIn.agent();
  const memberContext = await browser.newContext({ javaScriptEnabled });
  const member = await memberContext.newPage();
  const { phone } = await signedIn.memberWithPhone(memberContext);

  const question = `Where is my parcel? (${phone})`;
  await textFromHandset(member, phone, question);
  // The member waits elsewhere in the app: the answer's unread count shows in the nav and the title.
  await member.goto("/settings/phone");
  await expect(member).toHaveTitle(/^Your phone/);
  await expect(member.getByTestId("nav-unread")).toHaveCount(0);
  if (javaScriptEnabled) await markDocument(member);

  await page.goto("/messages");
  await page
    .getByRole("navigation", { name: "Views" })
    .getByRole("link", { name: /^Unassigned/ })
    .click();
  await expect(page).toHaveURL(/[?&]view=unassigned/);
  const row = page.getByRole("list", { name: "Conversations" }).getByRole("link").filter({ hasText: question });
  await row.click();
  const controls = page.getByTestId("assignee");
  await expect(controls).toHaveText("Unassigned");
  await page.getByRole("button", { name: "Assign to me" }).click();
  await expect(controls).toHaveText(`Assigned to ${agentName} (you)`);
  // The list beside the thread still shows Unassigned, which this one no longer is.
  await expect(row).toHaveCount(0);

  const answer = `On its way, ${phone}!`;
  await page.getByLabel(/^Reply to/).fill(answer);
  await page.getByRole("button", { name: "Send" }).click();
  const thread = page.getByRole("list", { name: "Messages" });
  await expect(thread.locator("li[data-message-id]").filter({ hasText: answer })).toContainText("You");

  if (javaScriptEnabled) {
    await expect(member.getByTestId("nav-unread")).toHaveText("1 unread");
    expect(await stillSameDocument(member)).toBe(true);
  } else {
    await member.reload();
    await expect(member.getByTestId("nav-unread")).toHaveText("1 unread");
  }
  await expect(member).toHaveTitle(/^\(1\) Your phone/);

  await member.getByRole("link", { name: /^Messages/ }).click();
  const bubble = member
    .getByRole("list", { name: "Messages" })
    .locator("li[data-message-id]")
    .filter({ hasText: answer });
  await expect(bubble.getByTestId("author")).toHaveText("Support");
  await expect(member.getByText(agentName)).toHaveCount(0);
  await expect(member.getByTestId("nav-unread")).toHaveCount(0);
  await expect(member).not.toHaveTitle(/^\(/);

  const adminContext = await browser.newContext({ javaScriptEnabled });
  await signedIn.admin(adminContext);
  const admin = await adminContext.newPage();
  await admin.goto(page.url());
  await expect(
    admin
      .getByRole("list", { name: "Messages" })
      .locator("li[data-message-id]")
      .filter({ hasText: answer })
      .getByTestId("author"),
  ).toHaveText(agentName);
  await expect(admin.getByTestId("assignee")).toHaveText(`Assigned to ${agentName}`);
  await Promise.all([memberContext.close(), adminContext.close()]);
});

test("a new SMS puts a count in the agent's nav and title", async ({ page, signedIn }) => {
  await signedIn.agent();
  const stranger = uniquePhone();
  await textFromHandset(page, stranger, `Hi from ${stranger}`);
  await page.goto("/settings/phone");
  // The team inbox is shared with every other test: at least this one is unread for a new agent.
  await expect(page.getByTestId("nav-unread")).toHaveText(/^\d+\+? unread$/);
  await expect(page).toHaveTitle(/^\(\d+\+?\) Your phone/);
  await page.goto("/messages/new");
  await expect(page).toHaveTitle(/^\(\d+\+?\) New conversation/);
});

test("the inbox shows the list beside the open thread on wide screens, one of them on narrow ones", async ({
  page,
  signedIn,
}) => {
  await signedIn.agent();
  const stranger = uniquePhone();
  const text = `Two panes? (${stranger})`;
  await textFromHandset(page, stranger, text);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`/messages?${new URLSearchParams({ q: stranger })}`);
  const list = page.getByRole("list", { name: "Conversations" });
  await list.getByRole("link").filter({ hasText: stranger }).click();
  await expect(page).toHaveURL(/\/messages\/[0-9a-f-]{36}\?q=/);
  await expect(list).toBeVisible();
  await expect(page.getByRole("list", { name: "Messages" })).toContainText(text);
  // Beside the list and the contact panel, the messages still get room to read.
  await expect(page.getByRole("complementary", { name: "Contact and team notes" })).toBeVisible();
  const messages = (await page.getByRole("list", { name: "Messages" }).boundingBox())!;
  expect(messages.width, "the message column at 1280 px").toBeGreaterThanOrEqual(480);

  await page.setViewportSize({ width: 800, height: 800 });
  await expect(list).toBeHidden();
  await expect(page.getByRole("list", { name: "Messages" })).toContainText(text);
  await page.getByRole("link", { name: "← All conversations" }).click();
  await expect(page.getByRole("list", { name: "Conversations" })).toBeVisible();
  await expect(page.getByText("Pick a conversation")).toBeHidden();
});
