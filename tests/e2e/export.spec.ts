import { readFile } from "node:fs/promises";
import { formatPhone } from "../../app/lib/phone";
import { expect, test, uniquePhone } from "./fixtures";

test("an admin downloads a conversation as CSV; an agent is offered no export", async ({ page, browser, signedIn }) => {
  const phone = uniquePhone();
  const texted = await page.request.post("/dev/phone", { form: { number: phone, body: '=1+1, "quoted"' } });
  expect(texted.ok()).toBe(true);
  await signedIn.admin();
  await page.goto(`/messages?${new URLSearchParams({ q: phone })}`);
  await page
    .getByRole("list", { name: "Conversations" })
    .getByRole("link", { name: formatPhone(phone) })
    .click();

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Export CSV" }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(new RegExp(`^birdline-${phone.slice(1)}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  const csv = await readFile((await download.path())!, "utf8");
  expect(csv).toContain('"time","direction","from","to","author","status","body","labels"\r\n');
  expect(csv).toContain(`"inbound","'${phone}",`);
  expect(csv).toContain(`"Contact","received","'=1+1, ""quoted""",""\r\n`);

  const agentContext = await browser.newContext({ baseURL: test.info().project.use.baseURL });
  await signedIn.agent(agentContext);
  const agent = await agentContext.newPage();
  await agent.goto(page.url());
  await expect(agent.getByRole("heading", { name: formatPhone(phone), level: 1 })).toBeVisible();
  await expect(agent.getByRole("link", { name: "Export CSV" })).toHaveCount(0);
  const refused = await agent.request.get(`${new URL(page.url()).pathname}/export.csv`);
  expect(refused.status()).toBe(404);
  await agentContext.close();
});
