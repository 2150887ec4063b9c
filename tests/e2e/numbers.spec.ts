import type { Page } from "@playwright/test";
import { expect, test, uniquePhone } from "./fixtures";

/** A number of ours nobody else in this run adds (the 097 range MessageBird rents for business numbers). */
/** The open thread, not the list beside it on wide screens. */
const thread = (page: Page) => page.locator("section[aria-labelledby=thread-heading]");

const uniqueOurNumber = () => `+31970${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;

async function addNumber(page: Page, label: string) {
  const number = uniqueOurNumber();
  await page.goto("/team/numbers");
  await page.getByLabel("Number", { exact: true }).fill(number);
  await page.getByLabel("Label", { exact: true }).fill(label);
  await page.getByRole("button", { name: "Add number" }).click();
  await expect(page.getByRole("listitem", { name: number })).toContainText("0 conversations");
  return number;
}

test("an admin adds a second number, a handset texts it, and the reply comes back from that number", async ({
  page,
  signedIn,
  javaScriptEnabled,
}) => {
  await signedIn.admin();
  const label = `Support ${javaScriptEnabled ? "JS" : "plain"} ${Math.floor(Math.random() * 1e4)}`;
  const number = await addNumber(page, label);

  const phone = uniquePhone();
  const handset = await page.context().newPage();
  await handset.goto(`/dev/phone?number=${encodeURIComponent(phone)}`);
  await handset.getByLabel("To", { exact: true }).selectOption(number);
  const question = `Which number is this? (${phone})`;
  await handset.getByLabel("Text message").fill(question);
  await handset.getByRole("button", { name: "Send SMS" }).click();
  await expect(handset.getByRole("list", { name: /SMS on/ })).toContainText(`To ${label}`);

  await page.goto("/messages");
  const row = page.getByRole("list", { name: "Conversations" }).getByRole("link").filter({ hasText: question });
  await expect(row).toContainText(label);
  await row.click();
  await expect(thread(page).getByText(`via ${label}`)).toBeVisible();

  const answer = `This is ${label}, hello!`;
  await page.getByLabel(/^Reply to/).fill(answer);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("list", { name: "Messages" })).toContainText(answer);

  await handset.reload();
  const received = handset
    .getByRole("list", { name: /SMS on/ })
    .getByRole("listitem")
    .filter({ hasText: answer });
  await expect(received).toContainText(`From ${label}`);
});

test("staff start a conversation from the inbox on a chosen number; the handset gets it from that number", async ({
  page,
  signedIn,
}) => {
  await signedIn.admin();
  const label = `Sales ${Math.floor(Math.random() * 1e6)}`;
  await addNumber(page, label);

  await page.goto("/messages");
  await page.getByRole("link", { name: "New conversation" }).click();
  await expect(page.getByLabel("From")).toHaveValue(/[0-9a-f-]{36}/);
  await expect(page.getByLabel("From").locator("option").first()).toHaveText("Main number");
  const phone = uniquePhone();
  await page.getByLabel("To", { exact: true }).fill(phone.replace("+31", "0"));
  await page.getByLabel("From").selectOption({ label });
  const text = `Your order is ready (${phone})`;
  await page.getByLabel("Message", { exact: true }).fill(text);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page).toHaveURL(/\/messages\/[0-9a-f-]{36}$/);
  await expect(thread(page).getByText(`via ${label}`)).toBeVisible();
  await expect(page.getByRole("list", { name: "Messages" })).toContainText(text);

  await page.goto(`/dev/phone?number=${encodeURIComponent(phone)}`);
  const received = page
    .getByRole("list", { name: /SMS on/ })
    .getByRole("listitem")
    .filter({ hasText: text });
  await expect(received).toContainText(`From ${label}`);
});
