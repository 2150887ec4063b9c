// `npm test`: typecheck, unit + integration (vitest), then e2e (Playwright).
// Every step runs even when an earlier one fails, so one run shows everything.
import { spawnSync } from "node:child_process";

const steps = [
  ["typecheck", "npm", ["run", "typecheck"]],
  ["unit + integration", "npx", ["vitest", "run"]],
  ["e2e", "node", ["scripts/e2e.mjs"]],
];

const results = [];
for (const [name, command, args] of steps) {
  console.log(`\n▶ ${name}`);
  const started = Date.now();
  const { status } = spawnSync(command, args, { stdio: "inherit", env: process.env });
  results.push({ name, ok: status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1) });
}

console.log("\nSummary");
for (const { name, ok, seconds } of results) console.log(`  ${ok ? "✔" : "✘"} ${name} (${seconds}s)`);
const failed = results.filter((r) => !r.ok).length;
console.log(`steps: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
