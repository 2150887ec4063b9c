import { request, type FullConfig } from "@playwright/test";
import { ADMIN, registerOverHttp } from "./test-accounts";

/**
 * The first account ever created becomes the admin. Claim that seat before any
 * test runs, so every account registered through the forms is an ordinary member
 * whatever order the tests run in. Without a database the tests can write to, this
 * is also the admin that `signedIn.admin()` signs in as (test-accounts.ts).
 */
export default async function globalSetup(config: FullConfig) {
  const baseURL = config.projects[0]!.use.baseURL!;
  const context = await request.newContext({ baseURL, extraHTTPHeaders: { "X-Forwarded-For": "192.0.2.1" } });
  await registerOverHttp(context, ADMIN.email, "Team Admin");
  await context.dispose();
}
