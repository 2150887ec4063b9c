// `npm run test:e2e`: build, then run Playwright against the built server with
// Debian's Chromium. Without a browser: a loud skip locally, a failure in CI.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
if (!existsSync(chromium)) {
  const banner = "=".repeat(72);
  const message = `e2e skipped: no Chromium at ${chromium} (apt-get install chromium, or set CHROMIUM_PATH)`;
  console.error(`\n${banner}\n!!! ${message}\n${banner}\n`);
  process.exit(process.env.CI ? 1 : 0);
}

const run = (command, args) => {
  const result = spawnSync(command, args, { stdio: "inherit", env: process.env });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

// `npm test` has just built (BIRDLINE_BUILT=1); run standalone, build first.
if (process.env.BIRDLINE_BUILT !== "1") {
  console.log("e2e: building the app…");
  run("npx", ["react-router", "build"]);
}
run("npx", ["playwright", "test", ...process.argv.slice(2)]);
