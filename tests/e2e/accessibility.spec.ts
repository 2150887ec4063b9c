import type { BrowserContext, Page } from "@playwright/test";
import { formatPhone } from "../../app/lib/phone";
import { expectAccessible, expectNoSidewaysScroll } from "./axe";
import { expect, test, uniquePhone, type SignedIn } from "./fixtures";

type Role = "visitor" | "member" | "agent" | "admin";
const SIGNED_IN: Role[] = ["member", "agent", "admin"];
const EVERYONE: Role[] = ["visitor", ...SIGNED_IN];

/** What a page needs to exist: the conversation the role may open. */
type Seed = { thread: string; phone: string };

/** Every page, once. A page another branch adds is one line here. */
const PAGES: { path: (seed: Seed) => string; roles: Role[] }[] = [
  { path: () => "/", roles: EVERYONE },
  { path: () => "/register", roles: ["visitor"] },
  { path: () => "/login", roles: ["visitor"] },
  { path: () => "/settings/phone", roles: SIGNED_IN },
  { path: () => "/settings/notifications", roles: SIGNED_IN },
  { path: () => "/settings/tokens", roles: SIGNED_IN },
  { path: () => "/messages", roles: SIGNED_IN },
  { path: (seed) => seed.thread, roles: SIGNED_IN },
  { path: (seed) => `/dev/phone?${new URLSearchParams({ number: seed.phone })}`, roles: EVERYONE },
  { path: () => "/messages/new", roles: ["agent", "admin"] },
  { path: () => "/settings/replies", roles: ["agent", "admin"] },
  { path: () => "/reports", roles: ["agent", "admin"] },
  { path: () => "/admin/webhooks", roles: ["admin"] },
  { path: () => "/settings/webhooks", roles: ["admin"] },
  { path: () => "/team", roles: ["admin"] },
  { path: () => "/team/numbers", roles: ["admin"] },
  { path: () => "/team/labels", roles: ["admin"] },
  { path: () => "/no-such-page", roles: EVERYONE },
];

const signIn: Record<Role, (signedIn: SignedIn, context: BrowserContext) => Promise<unknown>> = {
  visitor: async () => {},
  member: (signedIn, context) => signedIn.memberWithPhone(context),
  agent: (signedIn, context) => signedIn.agent(context),
  admin: (signedIn, context) => signedIn.admin(context),
};

/** A conversation (with a reply and a note in it, for staff), and a refused webhook for the admin's list. */
async function seed(page: Page, role: Role): Promise<Seed> {
  const phone = uniquePhone();
  const texted = await page.request.post("/dev/phone", {
    form: { number: phone, body: "Is my order shipping today?" },
  });
  expect(texted.ok()).toBe(true);
  if (role === "admin") await page.request.post("/webhooks/messagebird?secret=wrong", { data: { payload: "Hi" } });
  if (role === "visitor") return { phone, thread: "/messages" };
  if (role === "member") {
    await page.goto("/messages");
    await expect(page).toHaveURL(/\/messages\/[\w-]+$/);
    return { phone, thread: new URL(page.url()).pathname };
  }
  await page.goto(`/messages?${new URLSearchParams({ q: phone })}`);
  const row = page.getByRole("list", { name: "Conversations" }).getByRole("link", { name: formatPhone(phone) });
  const thread = (await row.getAttribute("href"))!;
  await page.goto(thread);
  await page.getByLabel(/^Reply to/).fill("It left the warehouse an hour ago.");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("list", { name: "Messages" })).toContainText("It left the warehouse");
  // The side panel's forms, and an internal note among the messages.
  await page.getByLabel("Note", { exact: true }).fill("Checked with the warehouse: on its way.");
  await page.getByRole("button", { name: "Add note" }).click();
  await expect(page.locator("li[data-note-id]")).toContainText("Checked with the warehouse");
  return { phone, thread };
}

const WIDE = { width: 1280, height: 800 };
const NARROW = { width: 375, height: 800 };

// axe runs as a script in the page: with JavaScript on only. One context per role for all its
// pages, each loaded once and checked at both widths.
for (const role of EVERYONE) {
  test(`every page passes axe at 1280 and 375 px and fits a 375 px screen: ${role} @js-only`, async ({
    page,
    context,
    signedIn,
  }) => {
    test.slow();
    await signIn[role](signedIn, context);
    const seeded = await seed(page, role);
    for (const entry of PAGES.filter((candidate) => candidate.roles.includes(role))) {
      const path = entry.path(seeded);
      await page.setViewportSize(WIDE);
      await page.goto(path);
      await expectAccessible(page, `${path} (${role}, 1280 px)`);
      await page.setViewportSize(NARROW);
      await expectAccessible(page, `${path} (${role}, 375 px)`);
      await expectNoSidewaysScroll(page, `${path} (${role})`);
    }
    if (role !== "visitor") {
      await page.locator("summary").filter({ hasText: "Menu" }).click();
      await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
      await expectAccessible(page, `the open menu (${role}, 375 px)`);
      await expectNoSidewaysScroll(page, `the open menu (${role})`);
    }
  });
}
