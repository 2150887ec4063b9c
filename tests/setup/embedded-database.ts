import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../../app/.server/platform/db/embedded-postgres";

declare module "vitest" {
  export interface ProvidedContext {
    /** The `postgres` database of this run's embedded cluster; unset when TEST_DATABASE_URL names a server. */
    embeddedDatabaseUrl?: string;
  }
}

/**
 * Without TEST_DATABASE_URL, one embedded Postgres cluster for the whole run:
 * every test file gets a database of its own in it (test-database.ts), so the
 * tests run on real Postgres wherever `npm test` runs.
 */
export default async function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) return;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "birdline-test-"));
  // Run as root, Postgres runs as its own user, which must reach the cluster inside.
  chmodSync(dataDir, 0o755);
  const cluster = await startEmbeddedPostgres({
    dataDir,
    // Files run in parallel, each with app processes of their own; nothing here has to survive a crash.
    settings: { max_connections: 300, fsync: "off", synchronous_commit: "off", full_page_writes: "off" },
  });
  project.provide("embeddedDatabaseUrl", cluster.adminUrl);
  return async () => {
    await cluster.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
