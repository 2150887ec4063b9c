import { randomUUID } from "node:crypto";
import {
  expect,
  liveIndicator,
  markDocument,
  register,
  stillSameDocument,
  STRONG_PASSWORD,
  test,
  uniquePhone,
} from "./fixtures";
import { SCALE_STACK, WEBHOOK_SECRET } from "./proxy/stacks";

// Runs only in the scale-nginx project: two instances on one database behind nginx, round robin
// (README, "Several instances"). The first account registered through it is the admin: one known
// address, so a repeated run (--repeat-each, another worker) signs that admin in again.
const ADMIN = "scale-admin@example.com";

const instance = (port: number) => `http://127.0.0.1:${port}`;
/** Open live-update streams on each instance, straight from its /healthz. */
const streamsPerInstance = () =>
  Promise.all(
    SCALE_STACK.appPorts.map(
      async (port) => ((await (await fetch(`${instance(port)}/healthz`)).json()) as { streams: number }).streams,
    ),
  );

test("a browser whose stream is on one instance hears an SMS that lands on the other, and a reply goes out once", async ({
  page,
}) => {
  await page.goto("/login");
  await page.getByLabel("Email").fill(ADMIN);
  await page.getByLabel("Password").fill(STRONG_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  const signedIn = page.getByRole("button", { name: "Sign out" });
  const refused = page.getByText("Invalid email or password");
  await expect(signedIn.or(refused).first()).toBeVisible();
  // No such account yet (this database is new for each run): the first one becomes the admin.
  if (!(await signedIn.isVisible())) await register(page, ADMIN);
  await page.goto("/messages");
  await expect(liveIndicator(page)).toHaveText("Live updates: Live");
  await markDocument(page);

  // The browser's one stream is held by one of the two; MessageBird's webhook lands on the other.
  let streams: number[] = [];
  await expect(async () => {
    streams = await streamsPerInstance();
    expect(streams.reduce((sum, n) => sum + n, 0)).toBe(1);
  }).toPass();
  const other = SCALE_STACK.appPorts[streams.indexOf(0)]!;
  const phone = uniquePhone();
  const text = `Which instance gets this? ${phone}`;
  const stored = await fetch(`${instance(other)}/webhooks/messagebird?secret=${WEBHOOK_SECRET}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ originator: phone, recipient: "+447700900000", payload: text, messageId: randomUUID() }),
  });
  expect(stored.status).toBe(200);

  const row = page.getByRole("list", { name: "Conversations" }).getByRole("link").filter({ hasText: text });
  await expect(row).toBeVisible();
  expect(await stillSameDocument(page)).toBe(true);

  await row.click();
  const reply = `Both of us heard you, ${phone}`;
  await page.getByLabel(/^Reply to/).fill(reply);
  await page.getByRole("button", { name: "Send" }).click();
  const bubble = page.getByRole("list", { name: "Messages" }).locator("li[data-message-id]").filter({ hasText: reply });
  await expect(bubble).toContainText("Delivered", { timeout: 15_000 });
  // Still the stream it opened: nginx kept it open, whichever instance answered the reply.
  await expect(liveIndicator(page)).toHaveText("Live updates: Live");

  // Sent once, by one of the two workers: the handset holds it once.
  await page.goto(`/dev/phone?number=${encodeURIComponent(phone)}`);
  await expect(
    page
      .getByRole("list", { name: /SMS on/ })
      .getByRole("listitem")
      .filter({ hasText: reply }),
  ).toHaveCount(1);
});
