import { formatPhone } from "../../app/lib/phone";
import { expect, test, textFromHandset, uniquePhone } from "./fixtures";

test("an SMS from the member's phone shows in their thread, and a reply reaches the phone and is delivered", async ({
  page,
  javaScriptEnabled,
  signedIn,
}) => {
  const { phone } = await signedIn.memberWithPhone();

  await page.goto("/messages");
  await expect(page).toHaveURL(/\/messages\/[0-9a-f-]{36}$/);
  await expect(page.getByText("No messages yet.")).toBeVisible();

  const inbound = "Hello <script>alert(1)</script> 👋";
  await textFromHandset(page, phone, inbound);
  await page.reload();
  const thread = page.getByRole("list", { name: "Messages" });
  // Shown as text: the markup is visible, nothing ran.
  await expect(thread).toContainText(inbound);

  const reply = javaScriptEnabled ? "Thanks, with JS!" : "Thanks, without JS!";
  await page.getByLabel(/^Reply to/).fill(reply);
  await page.getByRole("button", { name: "Send" }).click();
  const bubble = thread.locator("li[data-message-id]").filter({ hasText: reply });
  await expect(bubble).toBeVisible();
  if (javaScriptEnabled) await expect(page.getByLabel(/^Reply to/)).toHaveValue("");

  // The simulator reports delivery about a second later (live updates without reload: live.spec.ts).
  await expect(async () => {
    await page.reload();
    await expect(bubble).toContainText("Delivered", { timeout: 1000 });
  }).toPass({ timeout: 15_000 });

  const handset = await page.context().newPage();
  await handset.goto(`/dev/phone?number=${encodeURIComponent(phone)}`);
  await expect(handset.getByRole("list", { name: /SMS on/ })).toContainText(reply);
});

test("a member without a verified phone is asked to verify one", async ({ page, signedIn }) => {
  await signedIn.member();
  await page.goto("/messages");
  await expect(page.getByRole("heading", { name: "Verify your phone first" })).toBeVisible();
});

test("another member's conversation is a 404", async ({ page, browser, signedIn }) => {
  await signedIn.memberWithPhone();
  await page.goto("/messages");
  await expect(page).toHaveURL(/\/messages\/[0-9a-f-]{36}$/);
  const theirs = page.url();

  const other = await browser.newPage({ extraHTTPHeaders: { "X-Forwarded-For": "203.0.113.99" } });
  await signedIn.member(other.context());
  const response = await other.goto(theirs);
  expect(response?.status()).toBe(404);
  await expect(other.getByText("Page not found")).toBeVisible();
  await other.close();
});

test("an SMS from an unknown number reaches the team inbox, unclaimed, and an agent can answer it", async ({
  page,
  signedIn,
}) => {
  const stranger = uniquePhone();
  await signedIn.admin();
  // Unique text: other tests (and the other browser project) write to the same team inbox.
  const question = `Is anyone there? (${stranger})`;
  await textFromHandset(page, stranger, question);
  await page.goto("/messages");
  const row = page.getByRole("list", { name: "Conversations" }).getByRole("link").filter({ hasText: question });
  await expect(row).toContainText("Unclaimed");
  await expect(row).toContainText("1 unread");
  await row.click();
  await expect(page).toHaveURL(/\/messages\/[0-9a-f-]{36}$/);
  await expect(
    page.getByRole("region", { name: formatPhone(stranger) }).getByText("Unclaimed", { exact: true }),
  ).toBeVisible();
  const answer = `Yes! How can we help, ${stranger}?`;
  await page.getByLabel(/^Reply to/).fill(answer);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("list", { name: "Messages" })).toContainText(answer);
  await page.goto("/messages");
  const answered = page
    .getByRole("list", { name: "Conversations" })
    .getByRole("link")
    .filter({ hasText: `You: ${answer}` });
  await expect(answered).toContainText("Unclaimed");
  await expect(answered).not.toContainText("unread");
});

test("double-clicking Send (or resubmitting the form) sends one message", async ({
  page,
  javaScriptEnabled,
  signedIn,
}) => {
  const { phone } = await signedIn.memberWithPhone();
  await page.goto("/messages");
  await page.getByLabel(/^Reply to/).fill("Just once");
  if (javaScriptEnabled) {
    await page.getByRole("button", { name: "Send" }).dblclick();
  } else {
    // Without JS a double click is two form posts carrying the same idempotency key.
    const form = page.locator("form").filter({ has: page.getByLabel(/^Reply to/) });
    const fields = Object.fromEntries(
      await form
        .locator("input[type=hidden], textarea")
        .evaluateAll((els) => els.map((el) => [(el as HTMLInputElement).name, (el as HTMLInputElement).value])),
    );
    for (let i = 0; i < 2; i++)
      await page.request.post(page.url(), { form: { ...fields, intent: "send" }, maxRedirects: 0 });
    await page.reload();
  }
  const thread = page.getByRole("list", { name: "Messages" });
  await expect(thread.locator("li[data-message-id]").filter({ hasText: "Just once" })).toHaveCount(1);
  await page.waitForTimeout(500);
  await page.reload();
  await expect(thread.locator("li[data-message-id]").filter({ hasText: "Just once" })).toHaveCount(1);
  const handset = await page.context().newPage();
  await handset.goto(`/dev/phone?number=${encodeURIComponent(phone)}`);
  await expect(handset.getByRole("listitem").filter({ hasText: "Just once" })).toHaveCount(1);
});

test("Enter sends, Shift+Enter adds a line, and the cursor stays in the reply box @js-only", async ({
  page,
  signedIn,
}) => {
  await signedIn.memberWithPhone();
  await page.goto("/messages");
  const box = page.getByLabel(/^Reply to/);
  await box.click();
  await page.keyboard.type("first line");
  await page.keyboard.press("Shift+Enter");
  await page.keyboard.type("second line");
  await expect(box).toHaveValue("first line\nsecond line");
  await expect(page.getByText(/^22 characters · 1 SMS/)).toBeVisible();
  await page.keyboard.press("Enter");
  const bubble = page
    .getByRole("list", { name: "Messages" })
    .locator("li[data-message-id]")
    .filter({ hasText: "second line" });
  await expect(bubble).toContainText("first line\nsecond line", { useInnerText: true });
  await expect(box).toHaveValue("");
  await expect(box).toBeFocused();
});

test("an opt-out that arrives while typing blocks the reply with a reason and keeps the text", async ({
  page,
  javaScriptEnabled,
  signedIn,
}) => {
  const { phone } = await signedIn.memberWithPhone();
  await page.goto("/messages");
  const text = "Are you still there?";
  await page.getByLabel(/^Reply to/).fill(text);
  // The number opts out after the page was loaded: only the server can know.
  await textFromHandset(page, phone, "STOP");
  if (javaScriptEnabled) {
    // The live update disables the form before anyone can press Send.
    await expect(page.getByLabel(/^Reply to/)).toBeDisabled();
    await expect(page.getByText("This number opted out by texting STOP")).toBeVisible();
  } else {
    await page.getByRole("button", { name: "Send" }).click();
    await expect(page.getByRole("alert")).toContainText("opted out");
  }
  await expect(page.getByLabel(/^Reply to/)).toHaveValue(text);
});

test("the eleventh reply within a minute is refused with when to try again, and its text stays in the box", async ({
  page,
  signedIn,
}) => {
  await signedIn.memberWithPhone();
  await page.goto("/messages");
  const box = page.getByLabel(/^Reply to/);
  const thread = page.getByRole("list", { name: "Messages" });
  for (let i = 1; i <= 10; i++) {
    await box.fill(`Reply ${i} of ten`);
    await page.getByRole("button", { name: "Send" }).click();
    await expect(thread.locator("li[data-message-id]").filter({ hasText: `Reply ${i} of ten` })).toBeVisible();
  }
  await box.fill("One too many");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("alert")).toContainText(/Too many replies in a short time\. Try again in \d+ seconds/);
  await expect(box).toHaveValue("One too many");
  await expect(thread).not.toContainText("One too many");
});

test("without JavaScript the reply box states the SMS length rules instead of a count that never moves", async ({
  page,
  signedIn,
  javaScriptEnabled,
}) => {
  await signedIn.memberWithPhone();
  await page.goto("/messages");
  const rules = page.getByText(/^One SMS holds 160 characters, or 70/);
  if (javaScriptEnabled) {
    await page.getByLabel(/^Reply to/).fill("Hello");
    await expect(page.getByText(/^5 characters · 1 SMS · 155 left/)).toBeVisible();
    await expect(rules).toHaveCount(0);
  } else {
    await expect(rules).toBeVisible();
    await expect(page.getByText(/characters · 1 SMS/)).toHaveCount(0);
  }
});
