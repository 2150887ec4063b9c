import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startApp, stopApp, type AppProcess } from "../support/app-process";
import { browser, type Page } from "../support/browser";

const EMAIL = "endpoints@example.com";
const PASSWORD = "sunny-otter-42-lamp";

/**
 * Ways to spell Auth.js's password sign-in (or any other of its endpoints)
 * that a path check before Auth.js could miss: Auth.js and React Router each
 * decode and split paths their own way.
 */
const SIGN_IN_PATHS = [
  "/auth/callback/credentials",
  "/auth//callback/credentials",
  "/auth///callback/credentials",
  "/auth/./callback/credentials",
  "/auth/x/../callback/credentials",
  "/auth/%2Fcallback/credentials",
  "/auth/%2fcallback%2fcredentials",
  "/auth/callback%2Fcredentials",
  "/auth/callback//credentials",
  "/auth/callback/./credentials",
  "/auth/callback/credentials/",
  "/auth/callback/credentials?callbackUrl=%2Fmessages",
  "/auth/CALLBACK/credentials",
  "/auth/Callback/Credentials",
  "/AUTH/callback/credentials",
  "/auth/%63allback/credentials",
  "/auth/callback/%63redentials",
  "/auth\\callback\\credentials",
  "/auth/callback/credentials.data",
  "/auth//callback/credentials.data",
  "/auth/signin/credentials",
  "/auth//signin/credentials",
  "/auth/signin/credentials/",
  "/auth/signin",
  "/auth/session",
  "/auth/signout",
];

const READ_PATHS = [
  "/auth/session",
  "/auth/csrf",
  "/auth/providers",
  "/auth/signin",
  "/auth/signin/credentials",
  "/auth/error",
];

const setsSession = (page: Page) => page.headers.getSetCookie().some((cookie) => cookie.includes("session-token"));

let app: AppProcess;

/** A fresh browser posts the right password to `path` with a valid CSRF token from /login; returns the answer and whether it is signed in after. */
async function postCredentials(path: string) {
  const visitor = browser(app.url);
  const csrfToken = await visitor.csrfToken("/login");
  const answer = await visitor.post(path, { csrfToken, email: EMAIL, password: PASSWORD });
  const after = await visitor.get("/settings/phone");
  return { answer, signedIn: after.status === 200 };
}

describe("Auth.js endpoints over HTTP", () => {
  beforeAll(async () => {
    app = await startApp();
    const owner = browser(app.url);
    expect(
      await owner.submit("/register", { email: EMAIL, password: PASSWORD, confirmPassword: PASSWORD }),
    ).toHaveStatus(302);
    await owner.post("/logout");
  });
  afterAll(() => stopApp(app));

  test.each(SIGN_IN_PATHS)("POST %s answers 404 and signs nobody in", async (path) => {
    const { answer, signedIn } = await postCredentials(path);
    expect(answer).toHaveStatus(404);
    expect(setsSession(answer)).toBe(false);
    expect(signedIn).toBe(false);
  });

  test.each(READ_PATHS)("GET %s answers 404: the app reaches Auth.js only in-process", async (path) => {
    const page = await browser(app.url).get(path);
    expect(page).toHaveStatus(404);
    expect(page.headers.getSetCookie()).toEqual([]);
  });

  test("wrong guesses count at /login, and once it refuses, no other path takes the right password", async () => {
    const guesser = browser(app.url);
    for (let i = 0; i < 10; i++)
      expect(await guesser.submit("/login", { email: EMAIL, password: `wrong-${i}` })).toHaveStatus(400);
    const refused = await guesser.submit("/login", { email: EMAIL, password: PASSWORD });
    expect(refused).toHaveStatus(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);

    for (const path of SIGN_IN_PATHS) {
      const { answer, signedIn } = await postCredentials(path);
      expect({ path, status: answer.status, signedIn }).toEqual({ path, status: 404, signedIn: false });
    }
  });
});
