import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";

// A Docker bind mount on /app/data that the host created as root, seen by the image's user.
const dataDir = mkdtempSync(path.join(tmpdir(), "birdline-root-owned-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const asRoot = process.getuid?.() === 0;
// As root, run the app as nobody on a root-owned folder; otherwise take write access from ourselves.
const user = asRoot ? { uid: 65534, gid: 65534 } : undefined;
// A checkout in a private folder (root's 0700 home) is closed to nobody: it could not even load the app.
const appReachable = !user || spawnSync("test", ["-r", path.resolve("build/server/server.js")], user).status === 0;
if (!appReachable) {
  console.warn(
    "\n!!! SKIPPED: the DATA_DIR permission test runs the app as nobody, who cannot read this checkout (a private folder) !!!\n",
  );
}

test.runIf(appReachable)(
  "a DATA_DIR the app may not write ends the boot in one line saying whom to chown it to",
  () => {
    chmodSync(dataDir, asRoot ? 0o755 : 0o555);
    const result = spawnSync(process.execPath, ["build/server/server.js"], {
      ...user,
      encoding: "utf8",
      timeout: 30_000,
      env: {
        PATH: process.env.PATH,
        DATA_DIR: dataDir,
        PORT: "0",
        HOST: "0.0.0.0",
        APP_URL: "https://sms.example.com",
        AUTH_SECRET: "an-auth-secret-that-is-at-least-32-characters",
        MESSAGEBIRD_WEBHOOK_SECRET: "a-webhook-secret-0123456789",
        SMS_GATEWAY: "simulator",
      },
    });
    const [uid, gid] = user ? [user.uid, user.gid] : [process.getuid!(), process.getgid!()];
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([
      `DATA_DIR ${dataDir} is not writable by this process (user ${uid}): give it to that user, e.g. on the host of a Docker bind mount: chown -R ${uid}:${gid} <the mounted folder>.`,
    ]);
  },
);
