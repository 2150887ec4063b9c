// `npm run test:e2e`: build, then run Playwright against the built server with
// Debian's Chromium. Without a browser: a loud skip locally, a failure in CI.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import postgres from "postgres";

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
 * A fresh database on the Postgres in TEST_DATABASE_URL. The main e2e app keeps its data there
 * instead of in its own memory, so tests can create their accounts in it directly rather than
 * through the forms (tests/e2e/test-accounts.ts).
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

const database = process.env.TEST_DATABASE_URL ? await createDatabase(process.env.TEST_DATABASE_URL) : undefined;
// Ctrl-C stops Playwright too; outlive it to drop the database.
process.on("SIGINT", () => {});
const status = run("npx", ["playwright", "test", ...process.argv.slice(2)], {
  ...process.env,
  ...(database && { E2E_DATABASE_URL: database.url }),
});
await database?.drop();
process.exit(status);
