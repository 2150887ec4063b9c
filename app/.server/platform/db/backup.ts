// `npm run backup [-- <file>]`: a consistent copy of the embedded database, taken while the app runs.
import path from "node:path";
import { env } from "../env";
import { createBackup, exitIfOperatorError } from "./base-backup";

if (env.databaseUrl) {
  console.error(
    'DATABASE_URL is set: back up that Postgres with its own tools, e.g. pg_dump --format=custom --file=birdline.dump "$DATABASE_URL" (README "Backups").',
  );
  process.exit(1);
}
const stamp = new Date().toISOString().replace(/[:.]/g, "-");
const file = process.argv[2] ?? path.join("backups", `birdline-${stamp}.tar.gz`);
const backup = await createBackup({ dataDir: env.dataDir, file, log: console.log }).catch(exitIfOperatorError);
console.log(
  `Backup written: ${backup.file} (${(backup.bytes / 2 ** 20).toFixed(1)} MB, ${backup.seconds.toFixed(1)} s). Restore it with: npm run restore -- ${backup.file}`,
);
