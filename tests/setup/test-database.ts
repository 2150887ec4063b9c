import postgres from "postgres";
import { inject } from "vitest";

/**
 * A fresh, empty database for one test file on the Postgres in
 * TEST_DATABASE_URL, else on this run's embedded cluster (embedded-database.ts).
 */
export async function createTestDatabase(): Promise<{ databaseUrl: string; drop(): Promise<void> }> {
  const adminUrl = process.env.TEST_DATABASE_URL ?? inject("embeddedDatabaseUrl");
  if (!adminUrl) throw new Error("no test database: the integration project's globalSetup did not run");
  const name = `birdline_test_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    async drop() {
      const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}
