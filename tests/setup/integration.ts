import { afterAll } from "vitest";
import { createTestDatabase } from "./test-database";

// Runs before the test file imports any app module: point the app's env at a
// database of this file's own, so files can run in parallel. Nothing is kept on
// disk: DATA_DIR=memory:// only keeps generated secrets in memory.
const testDatabase = await createTestDatabase();
Object.assign(process.env, {
  DATABASE_URL: testDatabase.databaseUrl,
  DATA_DIR: "memory://",
  APP_URL: "http://localhost:3000",
  AUTH_SECRET: "test-secret-that-is-at-least-32-characters-long",
  MESSAGEBIRD_WEBHOOK_SECRET: "test-webhook-secret-0123456789",
  MESSAGEBIRD_SENDER_ID: "+447700900000",
  DEFAULT_COUNTRY: "NL",
  LOG_LEVEL: "silent",
  // A test file sends more codes to +31 in a minute than a real hour would; the ceilings have a file of their own.
  SMS_CODES_PER_HOUR: "100000",
  SMS_CODES_PER_COUNTRY_HOUR: "100000",
});
delete process.env.MESSAGEBIRD_API_KEY;

afterAll(async () => {
  const { database } = await import("~/.server/platform/db/client");
  await database.close();
  (globalThis as { __birdlineDatabase?: unknown }).__birdlineDatabase = undefined;
  await testDatabase.drop();
});
