// `npm run test:e2e`: build, then run Playwright against the built server with
// Debian's Chromium. Without a browser: a loud skip locally, a failure in CI.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { register } from "tsx/esm/api";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(chromium)) {
  const banner = "=".repeat(72);
  const message = `e2e skipped: no Chromium at ${chromium} (apt-get install chromium, or set CHROMIUM_PATH)`;
  console.error(`\n${banner}\n!!! ${message}\n${banner}\n`);
  process.exit(process.env.CI ? 1 : 0);
}

const run = (command, args, env = process.env) => spawnSync(command, args, { stdio: "inherit", env }).status ?? 1;

// `npm test` has just built (BIRDLINE_BUILT=1); run standalone, build first.
if (process.env.BIRDLINE_BUILT !== "1") {
  console.log("e2e: building the app…");
  const built = run("npx", ["react-router", "build"]);
  if (built !== 0) process.exit(built);
}

/**
 * A fresh database on the Postgres in TEST_DATABASE_URL, else on an embedded cluster of this run.
 * The main e2e app keeps its data there, so tests can create their accounts in it directly rather
 * than through the forms (tests/e2e/test-accounts.ts).
 */
async function createDatabase(serverUrl) {
  const name = `birdline_e2e_${process.pid}_${randomBytes(4).toString("hex")}`;
  const onServer = async (statement) => {
    const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(statement);
    } finally {
      await sql.end();
    }
  };
  await onServer(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(`drop database if exists "${name}" with (force)`) };
}

// The run's data: the embedded cluster (without TEST_DATABASE_URL) and the DATA_DIR of each
// app server that runs the embedded default itself (playwright.config.ts).
const dataDir = mkdtempSync(path.join(os.tmpdir(), "birdline-e2e-"));
// Run as root, Postgres runs as its own user, which must reach the clusters inside.
chmodSync(dataDir, 0o755);
let cluster;
if (!process.env.TEST_DATABASE_URL) {
  register();
  const { startEmbeddedPostgres } = await import("../app/.server/platform/db/embedded-postgres.ts");
  cluster = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "server"), log: console.log });
}
const database = await createDatabase(process.env.TEST_DATABASE_URL ?? cluster.adminUrl);
// The scale-nginx project's two instances share one database, apart from the main app's.
const scaleDatabase = await createDatabase(process.env.TEST_DATABASE_URL ?? cluster.adminUrl);
// Ctrl-C stops Playwright too; outlive it to drop the database.
process.on("SIGINT", () => {});
const status = run("npx", ["playwright", "test", ...process.argv.slice(2)], {
  ...process.env,
  E2E_DATABASE_URL: database.url,
  E2E_SCALE_DATABASE_URL: scaleDatabase.url,
  E2E_DATA_DIR: dataDir,
});
await database.drop();
await scaleDatabase.drop();
await cluster?.stop();
rmSync(dataDir, { recursive: true, force: true });
process.exit(status);
