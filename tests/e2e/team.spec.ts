import type { Browser, Page } from "@playwright/test";
import { formatPhone } from "../../app/lib/phone";
import { expect, signIn, STRONG_PASSWORD, test, uniqueEmail } from "./fixtures";

/** Another person's browser, with the project's JavaScript setting and an address of its own. */
async function otherBrowser(browser: Browser, javaScriptEnabled: boolean) {
  const octet = () => Math.floor(Math.random() * 250) + 1;
  return browser.newContext({
    javaScriptEnabled,
    baseURL: test.info().project.use.baseURL,
    extraHTTPHeaders: { "X-Forwarded-For": `10.${octet()}.${octet()}.${octet()}` },
  });
}

async function openTeamPage(page: Page, javaScriptEnabled: boolean) {
  if (javaScriptEnabled) {
    await page.goto("/messages");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Team" }).click();
  } else {
    await page.goto("/team");
  }
  await expect(page.getByRole("heading", { name: "Team", level: 1 })).toBeVisible();
}

test("an admin invites an agent, who signs up with the link and works as an agent; the link works once", async ({
  page: admin,
  browser,
  javaScriptEnabled,
  signedIn,
}) => {
  // A conversation that is not the agent's own: only staff see it.
  const customerBrowser = await otherBrowser(browser, javaScriptEnabled);
  const { phone } = await signedIn.memberWithPhone(customerBrowser);
  await customerBrowser.close();

  await signedIn.admin();
  await openTeamPage(admin, javaScriptEnabled);
  await admin.getByLabel("Role", { exact: true }).selectOption("agent");
  await admin.getByRole("button", { name: "Make invite link" }).click();
  const link = await admin.getByLabel("Agent invite link").inputValue();
  expect(link).toMatch(/\/register\?invite=[\w-]{43}$/);
  await expect(admin.getByRole("list").filter({ hasText: "Agent invite" })).toBeVisible();

  const agentBrowser = await otherBrowser(browser, javaScriptEnabled);
  const agent = await agentBrowser.newPage();
  await agent.goto(link);
  await expect(agent.getByText("You are invited to join the team as an agent.")).toBeVisible();
  const email = uniqueEmail();
  await agent.getByLabel("Name (optional)").fill("Ana Agent");
  await agent.getByLabel("Email").fill(email);
  await agent.getByLabel("Password", { exact: true }).fill(STRONG_PASSWORD);
  await agent.getByLabel("Confirm password").fill(STRONG_PASSWORD);
  await agent.getByRole("button", { name: "Create account" }).click();

  await expect(agent).toHaveURL(/\/messages$/);
  const nav = agent.getByRole("navigation", { name: "Main" });
  await expect(nav).toContainText("agent");
  await expect(nav.getByRole("link", { name: "Team" })).toHaveCount(0);
  await expect(agent.getByRole("link").filter({ hasText: formatPhone(phone) })).toBeVisible();
  await agentBrowser.close();

  const latecomer = await otherBrowser(browser, javaScriptEnabled);
  const late = await latecomer.newPage();
  await late.goto(link);
  await expect(late.getByRole("alert")).toContainText("This invite link cannot be used.");
  await latecomer.close();

  await admin.reload();
  await expect(admin.getByRole("row").filter({ hasText: email })).toContainText("Ana Agent");
});

test("an admin promotes, demotes and deactivates someone; the deactivated person is signed out and cannot sign in", async ({
  page: admin,
  browser,
  javaScriptEnabled,
  signedIn,
}) => {
  const personBrowser = await otherBrowser(browser, javaScriptEnabled);
  const { email } = await signedIn.member(personBrowser);
  const person = await personBrowser.newPage();
  await person.goto("/settings/phone");
  await expect(person.getByRole("button", { name: "Sign out" })).toBeVisible();

  await signedIn.admin();
  await openTeamPage(admin, javaScriptEnabled);
  const row = admin.getByRole("row").filter({ hasText: email });
  const role = row.getByRole("combobox", { name: /^Role of/ });
  await expect(role).toHaveValue("member");
  // The select shows the new role before anything is saved: reload the person's page only once the
  // admin's page has the server's answer (the redirect without JavaScript, the data with it), after the commit.
  const saveRole = async (value: string) => {
    await role.selectOption(value);
    const saved = admin.waitForResponse(
      (response) => response.request().method() === "POST" && new URL(response.url()).pathname.startsWith("/team"),
    );
    await row.getByRole("button", { name: /^Save/ }).click();
    expect((await saved).status()).toBeLessThan(400);
    await expect(role).toHaveValue(value);
  };

  await saveRole("agent");
  await person.reload();
  await expect(person.getByRole("navigation", { name: "Main" })).toContainText("agent");

  await saveRole("member");
  await person.reload();
  await expect(person.getByRole("navigation", { name: "Main" })).not.toContainText("agent");

  // Deactivating asks first: the button that does it is inside a disclosure.
  const deactivate = row.getByRole("button", { name: `Deactivate ${email}` });
  await expect(deactivate).toBeHidden();
  await row.getByText("Deactivate…").click();
  await expect(row).toContainText("signed out everywhere");
  await deactivate.click();
  await expect(row).toContainText("Deactivated");
  await expect(row.getByRole("button", { name: /^Reactivate/ })).toBeVisible();

  await person.goto("/messages");
  await expect(person).toHaveURL("/login?redirectTo=%2Fmessages");
  await person.getByLabel("Email").fill(email);
  await person.getByLabel("Password").fill(STRONG_PASSWORD);
  await person.getByRole("button", { name: "Sign in" }).click();
  await expect(person.getByRole("alert")).toContainText("This account has been deactivated.");

  await row.getByRole("button", { name: /^Reactivate/ }).click();
  await expect(row.getByText("Deactivate…")).toBeVisible();
  await signIn(person, email);
  await personBrowser.close();
});
