// `npm start` (and `npm run db:migrate`, `backup`, `restore`): build the app when the build is
// missing or older than its sources, then run the compiled program in this
// process. Plain JavaScript, so it runs before anything is compiled: a fresh
// clone needs nothing but `npm ci`. BIRDLINE_SKIP_BUILD=1 skips the check
// (the Docker image, the tests: they build once up front).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const PROGRAMS = ["server", "migrate", "backup", "restore"];
const SOURCES = ["app", "server.ts", "react-router.config.ts", "vite.config.ts", "package-lock.json"];

const program = process.argv[2] ?? "server";
// The program reads its own arguments (a backup's file, --force) from process.argv[2] on.
process.argv.splice(2, 1);
if (!PROGRAMS.includes(program)) {
  console.error(`Unknown program "${program}"; expected one of: ${PROGRAMS.join(", ")}.`);
  process.exit(1);
}

const root = process.cwd();
const compiled = (name) => path.join(root, "build/server", `${name}.js`);

function newestMtime(entry) {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(entry).map((name) => newestMtime(path.join(entry, name))));
}

function ensureBuild() {
  // The build writes the compiled programs last: the oldest of them dates the whole build.
  const built = Math.min(
    ...PROGRAMS.map((name) => (existsSync(compiled(name)) ? statSync(compiled(name)).mtimeMs : 0)),
  );
  const changed = Math.max(...SOURCES.map((source) => newestMtime(path.join(root, source))));
  if (built >= changed) return;
  console.log(
    built ? "Sources changed since the last build; rebuilding…" : "No build yet; building the app (about a minute)…",
  );
  const result = spawnSync("npx", ["react-router", "build"], { stdio: "inherit", env: process.env });
  if (result.status !== 0) {
    console.error("Build failed; see the output above.");
    process.exit(1);
  }
}

if (process.env.BIRDLINE_SKIP_BUILD !== "1") ensureBuild();
await import(pathToFileURL(compiled(program)).href);
