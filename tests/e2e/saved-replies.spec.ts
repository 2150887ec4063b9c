import type { Page } from "@playwright/test";
import { expectAccessible, expectNoSidewaysScroll } from "./axe";
import { expect, openNewConversation, test } from "./fixtures";

/** A saved reply with a title no other test (or browser project) uses: the list is the whole team's. */
async function saveReply(page: Page, body: string) {
  const title = `Hours ${Math.random().toString(36).slice(2, 8)}`;
  await page.goto("/messages");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await page.getByRole("navigation", { name: "Settings" }).getByRole("link", { name: "Saved replies" }).click();
  await expect(page.getByRole("heading", { name: "Saved replies", level: 1 })).toBeVisible();
  await page.getByLabel("Title").last().fill(title);
  await page.getByLabel("Text").last().fill(body);
  await page.getByRole("button", { name: "Save reply" }).click();
  await expect(page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: title }) })).toContainText(
    body,
  );
  return title;
}

const replyBox = (page: Page) => page.getByLabel(/^Reply to/);

test("an agent names a contact, leaves a note, inserts a saved reply, and the handset gets exactly that text", async ({
  page,
  javaScriptEnabled,
  signedIn,
}) => {
  const { name: agent } = await signedIn.agent();
  const title = await saveReply(page, "Hi {name}, we are open 9-17 on weekdays. {agent}");
  const phone = await openNewConversation(page);
  const contact = `Maria ${phone.slice(-4)}`;
  const panel = page.getByRole("complementary", { name: "Contact and team notes" });
  await panel.getByLabel("Name", { exact: true }).fill(contact);
  await panel.getByRole("button", { name: "Save contact" }).click();
  await expect(page.locator("#thread-heading")).toHaveText(contact);
  const note = `Asked about opening hours (${phone})`;
  await panel.getByLabel("Note", { exact: true }).fill(note);
  await panel.getByRole("button", { name: "Add note" }).click();
  await expect(page.locator("li[data-note-id]").filter({ hasText: note })).toBeVisible();
  const expected = `Hi ${contact}, we are open 9-17 on weekdays. ${agent}`;

  if (javaScriptEnabled) {
    await page.getByRole("button", { name: "Saved replies" }).click();
    await page.getByRole("combobox", { name: "Search saved replies" }).fill(title);
    await page.getByRole("option", { name: title }).click();
  } else {
    await page.locator("summary", { hasText: "Saved replies" }).click();
    await page.getByRole("link", { name: title }).click();
  }
  await expect(replyBox(page)).toHaveValue(expected);
  if (javaScriptEnabled) await expect(page.getByText(`${expected.length} characters · 1 SMS`)).toBeVisible();

  await page.getByRole("button", { name: "Send" }).click();
  await expect(
    page.getByRole("list", { name: "Messages" }).locator("li[data-message-id]").filter({ hasText: expected }),
  ).toBeVisible();
  const handset = await page.context().newPage();
  await handset.goto(`/dev/phone?number=${encodeURIComponent(phone)}`);
  const received = handset.getByRole("list", { name: /SMS on/ });
  await expect(received.getByText(expected, { exact: true })).toBeVisible();
  // The note stayed with the team.
  await expect(received).not.toContainText(note);
});

test("typing / in an empty reply opens the saved replies; arrows and Enter insert one at the cursor @js-only", async ({
  page,
  signedIn,
}) => {
  const { name: agent } = await signedIn.agent();
  const title = await saveReply(page, "{agent} here.");
  await openNewConversation(page);

  const box = replyBox(page);
  await box.click();
  await page.keyboard.press("/");
  const search = page.getByRole("combobox", { name: "Search saved replies" });
  await expect(search).toBeFocused();
  await expect(box).toHaveValue("");
  await search.fill(title);
  await expect(page.getByRole("listbox", { name: "Saved replies" }).getByRole("option")).toHaveCount(1);
  await page.keyboard.press("ArrowDown");
  await expect(page.getByRole("option", { name: title })).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Enter");
  await expect(search).toBeHidden();
  await expect(box).toHaveValue(`${agent} here.`);
  await expect(box).toBeFocused();

  // Between words already typed, at the cursor; Escape closes the search without changing anything.
  await box.fill("Hello  bye");
  await box.evaluate((element: HTMLTextAreaElement) => element.setSelectionRange(6, 6));
  await page.getByRole("button", { name: "Saved replies" }).click();
  await search.fill(title);
  await page.keyboard.press("Enter");
  await expect(box).toHaveValue(`Hello ${agent} here. bye`);
  await page.getByRole("button", { name: "Saved replies" }).click();
  await page.keyboard.press("Escape");
  await expect(search).toBeHidden();
  await expect(box).toBeFocused();
  await expect(box).toHaveValue(`Hello ${agent} here. bye`);

  // A reply may still start with "/": Escape from a search that "/" opened types it after all.
  await box.fill("");
  await page.keyboard.press("/");
  await expect(search).toBeFocused();
  await expect(page.getByText("Press Esc to type “/” instead.")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(search).toBeHidden();
  await expect(box).toBeFocused();
  await page.keyboard.type("help");
  await expect(box).toHaveValue("/help");
});

test("a saved reply can be changed and deleted by the team", async ({ page, signedIn }) => {
  await signedIn.agent();
  const title = await saveReply(page, "Old text");
  const row = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: title }) });
  await row.locator("summary", { hasText: "Edit" }).click();
  await row.getByLabel("Text").fill("");
  await row.getByRole("button", { name: "Save changes" }).click();
  // Refused, with the reason, and the row stays open with what was typed.
  await expect(row.getByText("Write the text of the reply.")).toBeVisible();
  await row.getByLabel("Text").fill("New text");
  await row.getByRole("button", { name: "Save changes" }).click();
  await expect(row).toContainText("New text");
  // Deleting takes a second, deliberate step: the whole team loses the reply.
  await row.locator("summary", { hasText: "Delete" }).click();
  await expect(row.getByText("It disappears from every agent’s saved replies")).toBeVisible();
  await row.getByRole("button", { name: `Delete “${title}”` }).click();
  await expect(page.getByRole("heading", { name: title })).toHaveCount(0);
});

test("a member has no saved replies page", async ({ page, signedIn }) => {
  await signedIn.memberWithPhone();
  const response = await page.goto("/settings/replies");
  expect(response?.status()).toBe(404);
  await page.goto("/messages");
  await expect(page.getByText("Saved replies")).toHaveCount(0);
});

test("the open picker passes axe and fits on a 375 px screen @js-only", async ({ page, signedIn }) => {
  await signedIn.agent();
  await saveReply(page, "Hi {name}, a reply long enough to wrap on a phone screen, and then some. {agent}");
  await openNewConversation(page);
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 800 });
    await page.getByRole("button", { name: "Saved replies" }).click();
    const listbox = page.getByRole("listbox", { name: "Saved replies" });
    await expect(listbox).toBeVisible();
    await expectAccessible(page, `the open picker (${width} px)`);
    await expectNoSidewaysScroll(page, `the open picker (${width} px)`);
    const box = (await listbox.boundingBox())!;
    expect(box.x, "the picker starts on the screen").toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, "the picker ends on the screen").toBeLessThanOrEqual(width);
    await page.keyboard.press("Escape");
    await expect(listbox).toBeHidden();
  }
});
