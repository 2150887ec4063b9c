import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startApp, stopApp, type AppProcess } from "../support/app-process";
import { browser } from "../support/browser";

const PASSWORD = "sunny-otter-42-lamp";
let app: AppProcess;

const signedInAs = async (email: string) => {
  const device = browser(app.url);
  expect(await device.submit("/login", { email, password: PASSWORD })).toHaveStatus(302);
  return device;
};

const isSignedIn = async (device: ReturnType<typeof browser>) => {
  const page = await device.get("/settings/phone");
  if (page.status === 302) expect(page).toHaveRedirect("/login?redirectTo=%2Fsettings%2Fphone");
  return page.status === 200;
};

describe("sessions over HTTP", () => {
  beforeAll(async () => {
    app = await startApp();
    for (const email of ["laptop@example.com", "everywhere@example.com"]) {
      const device = browser(app.url);
      expect(await device.submit("/register", { email, password: PASSWORD, confirmPassword: PASSWORD })).toHaveStatus(
        302,
      );
    }
  });
  afterAll(() => stopApp(app));

  test("after sign-out the old session cookie is signed out on the server; the same person's phone stays signed in", async () => {
    const laptop = await signedInAs("laptop@example.com");
    const phone = await signedInAs("laptop@example.com");
    const kept = browser(app.url, { jar: laptop.jar.copy() });

    expect(await laptop.post("/logout")).toHaveRedirect("/");
    expect(await isSignedIn(laptop)).toBe(false);
    expect(await isSignedIn(kept)).toBe(false);
    expect(await isSignedIn(phone)).toBe(true);
  });

  test("“Sign out everywhere” on the settings page ends every session of the account, then signing in works again", async () => {
    const laptop = await signedInAs("everywhere@example.com");
    const phone = await signedInAs("everywhere@example.com");
    const kept = browser(app.url, { jar: laptop.jar.copy() });
    const settings = (await laptop.get("/settings/phone")).html;
    expect(settings).toMatch(
      /<form[^>]*action="\/logout" method="post"><button[^>]*value="sign-out-everywhere"[^>]*>End all sessions</,
    );

    expect(await laptop.post("/logout", { intent: "sign-out-everywhere" })).toHaveRedirect("/login");
    expect(await isSignedIn(laptop)).toBe(false);
    expect(await isSignedIn(kept)).toBe(false);
    expect(await isSignedIn(phone)).toBe(false);

    expect(await isSignedIn(await signedInAs("everywhere@example.com"))).toBe(true);
  });
});
