import { request, type FullConfig } from "@playwright/test";
import { ADMIN, STRONG_PASSWORD } from "./fixtures";

/**
 * The first account ever created becomes the admin. Claim that seat before any
 * test runs, so every test's own registration is an ordinary member whatever
 * order the tests run in, and team tests have an admin to sign in as.
 */
export default async function globalSetup(config: FullConfig) {
  const baseURL = config.projects[0]!.use.baseURL!;
  const context = await request.newContext({ baseURL, extraHTTPHeaders: { "X-Forwarded-For": "192.0.2.1" } });
  const page = await context.get("/register");
  const csrfToken = /name="csrfToken" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrfToken) throw new Error("No CSRF token on /register");
  const response = await context.post("/register", {
    form: { csrfToken, email: ADMIN.email, name: "Team Admin", password: STRONG_PASSWORD, confirmPassword: STRONG_PASSWORD },
    maxRedirects: 0,
  });
  if (response.status() !== 302) throw new Error(`Registering the admin answered ${response.status()}`);
  await context.dispose();
}
