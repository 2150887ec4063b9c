import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";

// A Docker bind mount on /app/data that the host created for another user than the image's.
const dataDir = mkdtempSync(path.join(tmpdir(), "birdline-not-ours-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

test("a DATA_DIR the app may not write ends the boot in one line saying whom to chown it to", () => {
  const asRoot = process.getuid?.() === 0;
  // As root, the folder belongs to nobody and the app runs without the capability to override file
  // permissions (setpriv, util-linux): it still reads this checkout, even in root's private home.
  // Otherwise take write access from ourselves.
  if (asRoot) chownSync(dataDir, 65534, 65534);
  chmodSync(dataDir, asRoot ? 0o755 : 0o555);
  const [command, args] = asRoot
    ? ["setpriv", ["--bounding-set=-dac_override,-dac_read_search", "--", process.execPath, "build/server/server.js"]]
    : [process.execPath, ["build/server/server.js"]];
  const result = spawnSync(command, args, {
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
  const [uid, gid] = [process.getuid!(), process.getgid!()];
  expect(result.status).toBe(1);
  expect(result.stderr.trim().split("\n")).toEqual([
    `DATA_DIR ${dataDir} is not writable by this process (user ${uid}): give it to that user, e.g. on the host of a Docker bind mount: chown -R ${uid}:${gid} <the mounted folder>.`,
  ]);
});
