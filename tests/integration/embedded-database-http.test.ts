import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { startApp, stopApp, type AppProcess } from "../support/app-process";
import { browser } from "../support/browser";

// `npm start` without DATABASE_URL: the app runs its own Postgres under DATA_DIR.
const PASSWORD = "sunny-otter-42-lamp";
const dataDirs: string[] = [];
const running: AppProcess[] = [];

function freshDataDir() {
  const dir = mkdtempSync(path.join(tmpdir(), "birdline-embedded-"));
  // Run as root, Postgres runs as its own user, which must reach the cluster inside.
  chmodSync(dir, 0o755);
  dataDirs.push(dir);
  return dir;
}

async function start(dataDir: string) {
  const app = await startApp({ DATABASE_URL: undefined, DATA_DIR: dataDir });
  running.push(app);
  return app;
}

function kill9(pid: number) {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

async function killApp(app: AppProcess) {
  const exited = new Promise((resolve) => app.process.once("exit", resolve));
  kill9(app.process.pid!);
  await exited;
}

const postmasterPid = (dataDir: string) =>
  Number(readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[0]);

function isRunning(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(check: () => boolean, what: string) {
  for (let waited = 0; !check(); waited += 50) {
    if (waited > 10_000) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function registers(app: AppProcess, email: string) {
  const answer = await browser(app.url).submit("/register", { email, password: PASSWORD, confirmPassword: PASSWORD });
  expect(answer).toHaveRedirect("/settings/phone");
}

async function signsIn(app: AppProcess, email: string) {
  const answer = await browser(app.url).submit("/login", { email, password: PASSWORD });
  return answer.status === 302;
}

afterAll(async () => {
  await Promise.all(running.map(stopApp));
  // Inner folders first: a private home holds its DATA_DIR.
  for (const dir of dataDirs.reverse()) {
    if (existsSync(path.join(dir, "postgres", "postmaster.pid"))) kill9(postmasterPid(dir));
    // As root under a private folder, the cluster lives outside DATA_DIR, linked from it.
    const link = path.join(dir, "postgres");
    if (existsSync(link) && lstatSync(link).isSymbolicLink()) rmSync(readlinkSync(link), { recursive: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn("\n!!! SKIPPED: the root tests of the embedded database need root (CI runs as root) !!!\n");

describe("the embedded database (no DATABASE_URL)", () => {
  test("keeps accounts across restarts, comes back after the app or both app and Postgres are killed, and stops with the app", async () => {
    const dataDir = freshDataDir();
    const first = await start(dataDir);
    const email = "embedded@example.com";
    await registers(first, email);

    // kill -9 of the app alone leaves its Postgres running, holding the cluster.
    const orphan = postmasterPid(dataDir);
    await killApp(first);
    expect(isRunning(orphan)).toBe(true);
    const second = await start(dataDir);
    expect(await signsIn(second, email)).toBe(true);

    // kill -9 of both leaves a postmaster.pid naming a dead process.
    const postmaster = postmasterPid(dataDir);
    await killApp(second);
    kill9(postmaster);
    await until(() => !isRunning(postmaster), "Postgres is gone");
    const third = await start(dataDir);
    expect(await signsIn(third, email)).toBe(true);

    const last = postmasterPid(dataDir);
    await stopApp(third);
    expect(third.process.exitCode).toBe(0);
    await until(() => !isRunning(last), "Postgres stopped with the app");
    expect(existsSync(path.join(dataDir, "postgres", "postmaster.pid"))).toBe(false);
    // Three boots of the app, each starting Postgres.
  }, 120_000);

  test.runIf(isRoot)(
    "as root, a DATA_DIR inside a private (0700) folder works and keeps its data, saying where the cluster lives",
    async () => {
      const home = freshDataDir();
      chmodSync(home, 0o700);
      const dataDir = path.join(home, "data");
      dataDirs.push(dataDir);
      const first = await start(dataDir);
      const email = "root@example.com";
      await registers(first, email);
      await stopApp(first);

      const second = await start(dataDir);
      expect(await signsIn(second, email)).toBe(true);
      const cluster = readlinkSync(path.join(dataDir, "postgres"));
      const where = second
        .stdout()
        .split("\n")
        .filter((line) => line.includes(cluster));
      expect(where).toEqual([expect.stringContaining(`cannot enter ${dataDir}`)]);
      expect(existsSync(path.join(cluster, "PG_VERSION"))).toBe(true);
    },
    60_000,
  );

  test("a second app on the same DATA_DIR is refused, naming the one using it", async () => {
    const dataDir = freshDataDir();
    const first = await start(dataDir);
    await expect(start(dataDir)).rejects.toThrow(`Another Birdline (process ${first.process.pid})`);
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
  }, 60_000);

  test("a DATA_DIR holding an earlier version's PGlite database stops the boot with what to do", async () => {
    const dataDir = freshDataDir();
    mkdirSync(path.join(dataDir, "pglite"));
    await expect(start(dataDir)).rejects.toThrow(/earlier Birdline \(PGlite\)[\s\S]*move the old one aside/);
    expect(existsSync(path.join(dataDir, "postgres"))).toBe(false);
  });
});
