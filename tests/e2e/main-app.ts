// The app behind the js and no-js projects, as playwright.config.ts starts it. The test-account
// fixture (test-accounts.ts) signs browsers in without the forms, so it has to share these.

/** Fixed rather than generated at boot: the fixture encrypts session tokens with it. */
export const AUTH_SECRET = "e2e-auth-secret-for-a-throwaway-database";

/** The simulator's service number; conversations the fixture creates talk to it. */
export const SERVICE_NUMBER = "+447700900000";

/**
 * A Postgres database of the app's own, which scripts/e2e.mjs creates. Without it (Playwright run
 * directly) the app runs the embedded database itself, out of the tests' reach.
 */
export const APP_DATABASE_URL = process.env.E2E_DATABASE_URL || undefined;
