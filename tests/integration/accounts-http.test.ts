import { afterAll, describe, expect, test } from "vitest";
import { startApp, stopApp, type AppProcess } from "../support/app-process";
import { browser } from "../support/browser";

const PASSWORD = "sunny-otter-42-lamp";
const running: AppProcess[] = [];

afterAll(async () => {
  await Promise.all(running.map(stopApp));
});

async function start() {
  const app = await startApp();
  running.push(app);
  return app;
}

async function stop(app: AppProcess) {
  await stopApp(app);
  running.splice(running.indexOf(app), 1);
}

describe("accounts over plain HTTP, no JavaScript", () => {
  test("register → signed in on /settings/phone → logout → wrong password keeps the email → right one returns to redirectTo", async () => {
    const app = await start();
    const visitor = browser(app.url);
    const registered = await visitor.submit("/register", {
      email: "http@example.com",
      password: PASSWORD,
      confirmPassword: PASSWORD,
    });
    expect(registered).toHaveRedirect("/settings/phone");
    expect((await visitor.get("/settings/phone")).html).toContain("Sign out");

    expect(await visitor.post("/logout")).toHaveRedirect("/");
    const protectedPage = await visitor.get("/settings/phone");
    expect(protectedPage).toHaveRedirect("/login?redirectTo=%2Fsettings%2Fphone");

    const wrong = await visitor.submit("/login?redirectTo=%2Fsettings%2Fphone", {
      email: "http@example.com",
      password: "not-the-password",
      redirectTo: "/settings/phone",
    });
    expect(wrong).toHaveStatus(400);
    expect(wrong.html).toContain("Invalid email or password");
    expect(wrong.html).toContain('value="http@example.com"');
    expect(wrong.html).not.toContain("not-the-password");

    const right = await visitor.submit("/login?redirectTo=%2Fsettings%2Fphone", {
      email: "http@example.com",
      password: PASSWORD,
      redirectTo: "/settings/phone",
    });
    expect(right).toHaveRedirect("/settings/phone");
    expect(await visitor.get("/settings/phone")).toHaveStatus(200);
    await stop(app);
  });

  test("failed-login counters survive a restart and are shared by two processes: the 11th wrong password answers 429, so does the right one", async () => {
    const first = await start();
    await browser(first.url).submit("/register", {
      email: "limit@example.com",
      password: PASSWORD,
      confirmPassword: PASSWORD,
    });
    const wrongLogin = (app: AppProcess) =>
      browser(app.url).submit("/login", { email: "limit@example.com", password: "wrong-password" });

    for (let i = 0; i < 5; i++) expect(await wrongLogin(first)).toHaveStatus(400);
    await stop(first);

    // Restarted: the five failures are still counted.
    const [second, third] = [await start(), await start()];
    for (let i = 0; i < 5; i++) expect(await wrongLogin(i % 2 ? third : second)).toHaveStatus(400);

    const eleventh = await wrongLogin(third);
    expect(eleventh).toHaveStatus(429);
    expect(eleventh.html).toContain("Too many failed sign-in attempts");
    const right = await browser(second.url).submit("/login", { email: "limit@example.com", password: PASSWORD });
    expect(right).toHaveStatus(429);
  });
});
