// `npm run restore -- <file> [--force]`: puts a backup from `npm run backup` back into DATA_DIR.
import { env } from "../env";
import { exitIfOperatorError, restoreBackup } from "./base-backup";

const args = process.argv.slice(2);
const force = args.includes("--force");
const [file, ...extra] = args.filter((arg) => arg !== "--force");
if (env.databaseUrl) {
  console.error(
    'DATABASE_URL is set: restore that Postgres with its own tools, e.g. pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" birdline.dump (README "Backups").',
  );
  process.exit(1);
}
if (!file || extra.length > 0) {
  console.error("Usage: npm run restore -- <backup file> [--force]");
  process.exit(1);
}
const { files } = await restoreBackup({ dataDir: env.dataDir, file, force, log: console.log }).catch(
  exitIfOperatorError,
);
console.log(
  `Restored ${files} files into ${env.dataDir}. Start Birdline (npm start): its database finishes the restore as it starts.`,
);
