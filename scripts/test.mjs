// `npm test`: typecheck, lint (ESLint + Prettier), build, unit + integration (vitest), then e2e (Playwright).
// Every step runs even when an earlier one fails, so one run shows everything.
// The build comes before vitest because integration tests start the built
// server (several instances on one database); e2e then reuses it.
import { spawnSync } from "node:child_process";

const steps = [
  ["typecheck", "npm", ["run", "typecheck"]],
  ["lint", "npm", ["run", "lint"]],
  ["build", "npx", ["react-router", "build"]],
  ["unit + integration", "npx", ["vitest", "run"]],
  ["e2e", "node", ["scripts/e2e.mjs"]],
];

const results = [];
for (const [name, command, args] of steps) {
  console.log(`\n▶ ${name}`);
  const started = Date.now();
  // After a failed build, e2e builds again itself rather than test a stale one.
  const built = results.some((r) => r.name === "build" && r.ok);
  const { status } = spawnSync(command, args, {
    stdio: "inherit",
    env: built ? { ...process.env, BIRDLINE_BUILT: "1" } : process.env,
  });
  results.push({ name, ok: status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1) });
}

console.log("\nSummary");
for (const { name, ok, seconds } of results) console.log(`  ${ok ? "✔" : "✘"} ${name} (${seconds}s)`);
const failed = results.filter((r) => !r.ok).length;
console.log(`steps: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
