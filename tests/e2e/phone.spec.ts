import { formatPhone } from "../../app/lib/phone";
import { SERVICE_NUMBER } from "./main-app";
import { expect, readCodeOnHandset, test, uniquePhone, verifyPhone } from "./fixtures";

test("a new member verifies a phone with a code read on the simulated handset", async ({ page, signedIn }) => {
  await signedIn.member();
  await page.goto("/settings/phone");
  await expect(page.getByRole("navigation").getByRole("link", { name: "Verify your phone" })).toBeVisible();
  const phone = uniquePhone();
  await verifyPhone(page, phone);
  await expect(page.getByTestId("nav-phone")).toHaveText(formatPhone(phone));
  // The next step: text the service number, from the simulated handset in local mode.
  await expect(page.getByRole("heading", { name: "Next: send us a text" })).toBeVisible();
  await expect(page.getByText(`Text ${formatPhone(SERVICE_NUMBER)} from ${formatPhone(phone)}.`)).toBeVisible();
  await expect(page.getByRole("link", { name: "simulated phone" })).toHaveAttribute(
    "href",
    `/dev/phone?${new URLSearchParams({ number: phone })}`,
  );
  await expect(page.getByText("Prove the number is yours")).toHaveCount(0);
});

test("a wrong code is refused with the attempts left; the number can be typed in local format", async ({
  page,
  signedIn,
}) => {
  await signedIn.member();
  await page.goto("/settings/phone");
  const phone = uniquePhone();
  await page.getByLabel("Mobile number").fill(`0${phone.slice(3)}`);
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByText(`We sent a 6-digit code to ${formatPhone(phone)}`)).toBeVisible();
  const code = await readCodeOnHandset(page, phone);
  const wrong = code === "000000" ? "111111" : "000000";
  await page.getByLabel("Code").fill(wrong);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByText("That code is not right. 4 attempts left.")).toBeVisible();
  await page.getByLabel("Code").fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByTestId("nav-phone")).toHaveText(formatPhone(phone));
});

test("a number verified by someone else is refused without saying who", async ({ browser, signedIn }) => {
  const { phone } = await signedIn.memberWithPhone();

  const other = await browser.newPage({ extraHTTPHeaders: { "X-Forwarded-For": "203.0.113.77" } });
  await signedIn.member(other.context());
  await other.goto("/settings/phone");
  await other.getByLabel("Mobile number").fill(phone);
  await other.getByRole("button", { name: "Send code" }).click();
  await expect(other.getByText("This number is already verified by another account.", { exact: false })).toBeVisible();
  await other.close();
});

test("a verified number can be removed; a new code waits out the one-a-minute limit", async ({ page, signedIn }) => {
  await signedIn.member();
  // Verified through the real code: that SMS is what the one-a-minute limit counts.
  await verifyPhone(page);
  await page.getByRole("button", { name: "Remove this number" }).click();
  await expect(page.getByRole("navigation").getByRole("link", { name: "Verify your phone" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Add your number" })).toBeVisible();
  await page.getByLabel("Mobile number").fill(uniquePhone());
  await page.getByRole("button", { name: "Send code" }).click();
  await expect(page.getByText(/Please wait \d+ seconds before requesting another code/)).toBeVisible();
});
