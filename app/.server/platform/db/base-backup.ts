import { createReadStream, createWriteStream, existsSync, lstatSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { chown, open, readdir, readlink, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import postgres from "postgres";
import { DataDirError, ensureDataDir } from "../data-dir";
import {
  clusterFolder,
  EmbeddedPostgresError,
  embeddedCluster,
  runAs,
  shownPath,
  startEmbeddedPostgres,
} from "./embedded-postgres";
import { readTar, tarWriter } from "./tar";

/*
 * Backups of the embedded database while the app runs. Its Postgres ships no
 * pg_dump or pg_basebackup, and a distribution's client is usually older than
 * the server. So: Postgres's low-level base-backup API (pg_backup_start /
 * pg_backup_stop) around a copy of the cluster's files, plus the WAL written
 * meanwhile, into one .tar.gz that `tar -xzf` can also read. Starting on it,
 * Postgres replays that WAL up to the end of the backup: every transaction
 * committed before the backup ended is in it.
 */

/** Folders whose contents a base backup leaves out (Postgres's own list), and files it never copies. */
const SKIP_CONTENTS = new Set([
  "pg_wal",
  "pg_replslot",
  "pg_dynshmem",
  "pg_notify",
  "pg_serial",
  "pg_snapshots",
  "pg_stat_tmp",
  "pg_subtrans",
  "pgsql_tmp",
]);
const SKIP_FILES = new Set([
  "postmaster.pid",
  "postmaster.opts",
  "backup_label",
  "tablespace_map",
  "pg_internal.init",
  "postgresql.auto.conf.tmp",
  "current_logfiles.tmp",
  // Birdline's log of the cluster, not part of it.
  "postgres.log",
]);
/** What else of DATA_DIR belongs with the database: its password, and local mode's generated secrets. */
const DATA_DIR_FILES = ["postgres.password", "secrets.json"];
const CLUSTER = "postgres";
const WAL_SEGMENT = /^[0-9A-F]{24}$/;

type Log = (line: string) => void;
const megabytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MB`;

async function clusterFiles(dir: string, relative = ""): Promise<{ folders: string[]; files: string[] }> {
  const folders: string[] = [];
  const files: string[] = [];
  for (const entry of await readdir(path.join(dir, relative), { withFileTypes: true }).catch(() => [])) {
    const name = path.posix.join(relative, entry.name);
    if (entry.isDirectory()) {
      folders.push(name);
      if (SKIP_CONTENTS.has(entry.name)) continue;
      const inner = await clusterFiles(dir, name);
      folders.push(...inner.folders);
      files.push(...inner.files);
    } else if (entry.isFile() && !SKIP_FILES.has(entry.name)) {
      files.push(name);
    }
  }
  return { folders, files };
}

/** Copies one file as it is now; a file dropped meanwhile (a table deleted) is left out. */
async function addFile(tar: ReturnType<typeof tarWriter>, name: string, file: string): Promise<number> {
  const handle = await open(file, "r").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (!handle) return 0;
  try {
    const { size } = await handle.stat();
    await tar.file(name, size, handle.createReadStream({ start: 0, autoClose: false }));
    return size;
  } finally {
    await handle.close();
  }
}

export async function createBackup({ dataDir, file, log }: { dataDir: string; file: string; log: Log }) {
  const started = Date.now();
  const { cluster, url: runningUrl } = embeddedCluster(dataDir);
  let url = runningUrl;
  let stopCluster: (() => Promise<void>) | undefined;
  if (!url) {
    if (!existsSync(path.join(cluster, "PG_VERSION")))
      throw new EmbeddedPostgresError(`No embedded database in ${shownPath(dataDir)} to back up.`);
    log("Birdline is not running: starting its embedded database for the backup…");
    const embedded = await startEmbeddedPostgres({ dataDir, log });
    url = embedded.url;
    stopCluster = () => embedded.stop();
  }
  // pg_backup_start and pg_backup_stop must run on the same session.
  const sql = postgres(url!, { max: 1, onnotice: () => {} });
  mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const gzip = createGzip();
  const written = pipeline(gzip, createWriteStream(file, { mode: 0o600 }));
  const tar = tarWriter(gzip);
  try {
    // A temporary slot keeps the WAL from here on until the session ends, however busy the app is.
    await sql`select pg_create_physical_replication_slot(${`birdline_backup_${process.pid}`}, true, true)`;
    await sql`select pg_backup_start(${`birdline ${new Date().toISOString()}`}, true)`;
    const { folders, files } = await clusterFiles(cluster);
    const sizes = await Promise.all(
      files.map((name) =>
        stat(path.join(cluster, name)).then(
          (s) => s.size,
          () => 0,
        ),
      ),
    );
    const total = sizes.reduce((sum, size) => sum + size, 0);
    log(`Copying the embedded database (${megabytes(total)}, ${files.length} files) while it runs…`);

    for (const name of DATA_DIR_FILES) await addFile(tar, name, path.join(dataDir, name));
    await tar.folder(CLUSTER);
    for (const folder of folders) await tar.folder(`${CLUSTER}/${folder}`);
    let copied = 0;
    let reported = Date.now();
    for (const name of files) {
      copied += await addFile(tar, `${CLUSTER}/${name}`, path.join(cluster, name));
      if (Date.now() - reported > 1000) {
        reported = Date.now();
        log(`  ${megabytes(copied)} of ${megabytes(total)} (${Math.round((100 * copied) / Math.max(total, 1))}%)`);
      }
    }

    const [stop] = await sql<{ labelfile: string; stop_segment: string }[]>`
      select labelfile, pg_walfile_name(lsn) as stop_segment from pg_backup_stop(false)`;
    const label = Buffer.from(stop!.labelfile);
    await tar.file(`${CLUSTER}/backup_label`, label.length, [label]);
    const startSegment = /START WAL LOCATION: .* \(file ([0-9A-F]{24})\)/.exec(stop!.labelfile)![1]!;
    const segments = readdirSync(path.join(cluster, "pg_wal"))
      .filter((name) => WAL_SEGMENT.test(name) && name >= startSegment && name <= stop!.stop_segment)
      .sort();
    log(`Adding the ${segments.length} WAL segment(s) written during the copy…`);
    for (const name of segments) await addFile(tar, `${CLUSTER}/pg_wal/${name}`, path.join(cluster, "pg_wal", name));
    await tar.end();
    await written;
  } catch (error) {
    gzip.destroy();
    rmSync(file, { force: true });
    throw error;
  } finally {
    await sql.end();
    await stopCluster?.();
  }
  const { size } = await stat(file);
  return { file, bytes: size, seconds: (Date.now() - started) / 1000 };
}

async function chownTree(dir: string, owner: { uid: number; gid: number }) {
  await chown(dir, owner.uid, owner.gid);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await chownTree(full, owner);
    else await chown(full, owner.uid, owner.gid);
  }
}

/** Empties DATA_DIR, including the cluster it links to (decision 011). */
async function wipe(root: string) {
  const link = path.join(root, CLUSTER);
  if (existsSync(link) && lstatSync(link).isSymbolicLink()) {
    rmSync(path.resolve(root, await readlink(link)), { recursive: true, force: true });
  }
  for (const entry of readdirSync(root)) rmSync(path.join(root, entry), { recursive: true, force: true });
}

export async function restoreBackup({
  dataDir,
  file,
  force,
  log,
}: {
  dataDir: string;
  file: string;
  force: boolean;
  log: Log;
}) {
  const root = path.resolve(dataDir);
  if (!existsSync(file)) throw new EmbeddedPostgresError(`No backup at ${file}.`);
  if (embeddedCluster(root).url) {
    throw new EmbeddedPostgresError(
      `Birdline's embedded database in ${shownPath(root)} is running: stop Birdline before restoring.`,
    );
  }
  const present = existsSync(root) ? readdirSync(root) : [];
  if (present.length > 0) {
    if (!force) {
      throw new EmbeddedPostgresError(
        `DATA_DIR ${shownPath(root)} is not empty (${present.join(", ")}): restoring replaces all of it. ` +
          "Add --force to replace it, or point DATA_DIR at an empty folder.",
      );
    }
    log(`--force: deleting what is in ${shownPath(root)}…`);
    await wipe(root);
  }
  ensureDataDir(root);
  const owner = runAs(log);
  const cluster = clusterFolder(root, shownPath(path.join(root, CLUSTER)), owner, log);
  mkdirSync(cluster, { recursive: true, mode: 0o700 });
  const target = (name: string) =>
    name === CLUSTER || name.startsWith(`${CLUSTER}/`)
      ? path.join(cluster, name.slice(CLUSTER.length))
      : path.join(root, name);

  log(`Restoring ${file} into ${shownPath(root)}…`);
  let files = 0;
  await readTar(createReadStream(file).pipe(createGunzip()), {
    folder: (name) => mkdirSync(target(name), { recursive: true, mode: 0o700 }),
    file(name) {
      files += 1;
      return createWriteStream(target(name), { mode: 0o600 });
    },
  });
  if (!existsSync(path.join(cluster, "PG_VERSION")) || !existsSync(path.join(cluster, "backup_label"))) {
    throw new EmbeddedPostgresError(`${file} is not a Birdline backup (no cluster and backup_label in it).`);
  }
  if (owner) await chownTree(cluster, owner);
  return { files };
}

/** For the programs: a problem the operator fixes is one plain message, not a stack. */
export function exitIfOperatorError(error: unknown): never {
  if (error instanceof EmbeddedPostgresError || error instanceof DataDirError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
