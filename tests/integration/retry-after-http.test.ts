import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startApp, stopApp, type AppProcess } from "../support/app-process";
import { browser, type Page } from "../support/browser";

const PASSWORD = "sunny-otter-42-lamp";

/** A 429 tells the client when to come back, as a number of seconds within the limit's window. */
function expectRetryAfter(page: Page, windowSeconds: number) {
  expect(page).toHaveStatus(429);
  const seconds = Number(page.headers.get("retry-after"));
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThanOrEqual(windowSeconds);
}

// Replies have their own file (reply-limits-http.test.ts).
describe("every 429 over HTTP carries Retry-After", () => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(() => stopApp(app));

  test("registration: the sixth account from one address within the hour", async () => {
    const answers: Page[] = [];
    for (let i = 0; i < 6; i++) {
      answers.push(
        await browser(app.url).submit("/register", {
          email: `many${i}@example.com`,
          password: PASSWORD,
          confirmPassword: PASSWORD,
        }),
      );
    }
    expect(answers.slice(0, 5).map((a) => a.status)).toEqual([302, 302, 302, 302, 302]);
    expectRetryAfter(answers[5]!, 3600);
  });

  test("sign-in: the eleventh wrong password for one email", async () => {
    for (let i = 0; i < 10; i++)
      await browser(app.url).submit("/login", { email: "many0@example.com", password: `wrong-${i}` });
    expectRetryAfter(
      await browser(app.url).submit("/login", { email: "many0@example.com", password: `wrong-10` }),
      900,
    );
  });

  test("phone codes: a second code within the minute", async () => {
    const member = browser(app.url);
    expect(await member.submit("/login", { email: "many1@example.com", password: PASSWORD })).toHaveStatus(302);
    const first = await member.post("/settings/phone", { intent: "send-code", phoneNumber: "+31612345671" });
    expect(first).toHaveStatus(302);
    expectRetryAfter(await member.post("/settings/phone", { intent: "send-code", phoneNumber: "+31612345671" }), 60);
  });
});
