import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import postgres from "postgres";
import { afterAll, expect, test } from "vitest";
import { embeddedCluster } from "~/.server/platform/db/embedded-postgres";
import { WEBHOOK_PATHS } from "~/lib/webhook-paths";
import { startApp, stopApp, type AppProcess } from "../support/app-process";
import { browser } from "../support/browser";

// `npm run backup` while webhooks keep landing, then wipe, `npm run restore`, start again.
const home = mkdtempSync(path.join(tmpdir(), "birdline-backup-"));
// Run as root, Postgres runs as its own user, which must reach the cluster inside.
chmodSync(home, 0o755);
const dataDir = path.join(home, "data");
const backupFile = path.join(home, "backups", "birdline.tar.gz");
const running: AppProcess[] = [];
const PASSWORD = "sunny-otter-42-lamp";
const EMAIL = "backup@example.com";
const WRITERS = 6;

afterAll(async () => {
  await Promise.all(running.map(stopApp));
  rmSync(home, { recursive: true, force: true });
});

async function start() {
  const app = await startApp({ DATABASE_URL: undefined, DATA_DIR: dataDir });
  running.push(app);
  return app;
}

function program(
  name: "backup" | "restore",
  args: string[],
  onLine: (line: string) => void = () => {},
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`build/server/${name}.js`, ...args], {
      env: { PATH: process.env.PATH, DATA_DIR: dataDir, LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk;
      String(chunk).split("\n").forEach(onLine);
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    child.once("exit", (code) => resolve({ code, output }));
  });
}

/** Inbound SMS as fast as the app takes them; every id the app answered "stored" for, in order. */
function writeLoad(app: AppProcess) {
  const stored: string[] = [];
  let stopping = false;
  let next = 0;
  const url = `${app.url}${WEBHOOK_PATHS.inbound}?secret=${process.env.MESSAGEBIRD_WEBHOOK_SECRET}`;
  const writer = async () => {
    while (!stopping) {
      const messageId = `backup-${next++}`;
      const answer = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          originator: `3161234${String(next % 1000).padStart(4, "0")}`,
          recipient: "447700900000",
          payload: `message ${messageId}`,
          messageId,
        }),
      });
      if (answer.ok && ((await answer.json()) as { status: string }).status === "stored") stored.push(messageId);
    }
  };
  const writers = Promise.all(Array.from({ length: WRITERS }, writer));
  return {
    stored,
    async stop() {
      stopping = true;
      await writers;
    },
  };
}

test("a backup taken under write load, restored into a wiped DATA_DIR, holds the account and every acknowledged message", async () => {
  const first = await start();
  const registered = await browser(first.url).submit("/register", {
    email: EMAIL,
    password: PASSWORD,
    confirmPassword: PASSWORD,
  });
  expect(registered).toHaveRedirect("/settings/phone");

  const load = writeLoad(first);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const storedBefore = load.stored.length;
  // Acknowledged once the copy starts, so committed after pg_backup_start and well before pg_backup_stop
  // (the copy takes a while): these must all come back, from the files or from the WAL replayed.
  let acknowledged: string[] = [];
  const backup = await program("backup", [backupFile], (line) => {
    if (line.startsWith("Copying")) acknowledged = [...load.stored];
  });
  await load.stop();
  expect(backup.output).toMatch(/Backup written: .*birdline\.tar\.gz \(\d+\.\d MB, \d+\.\d s\)/);
  expect(backup.code).toBe(0);
  expect(acknowledged.length).toBeGreaterThan(storedBefore);
  await stopApp(first);

  const refused = await program("restore", [backupFile]);
  expect(refused.code).toBe(1);
  expect(refused.output).toContain("is not empty");
  for (const entry of readdirSync(dataDir)) rmSync(path.join(dataDir, entry), { recursive: true, force: true });
  const restored = await program("restore", [backupFile]);
  expect(restored.output).toContain("Restored");
  expect(restored.code).toBe(0);

  const second = await start();
  // The first account is the admin: signing in lands on the inbox.
  expect(await browser(second.url).submit("/login", { email: EMAIL, password: PASSWORD })).toHaveRedirect("/messages");
  const sql = postgres(embeddedCluster(dataDir).url!, { max: 1 });
  try {
    const rows = await sql<{ id: string }[]>`
      select provider_message_id as id from messages where provider_message_id like 'backup-%'`;
    const back = new Set(rows.map((row) => row.id));
    expect(acknowledged.filter((id) => !back.has(id))).toEqual([]);
    // Messages stored while the files were being copied came back too.
    expect(back.size).toBeGreaterThan(acknowledged.length);
  } finally {
    await sql.end();
  }
}, 120_000);
