import { accessSync, constants, mkdirSync } from "node:fs";
import path from "node:path";

export class DataDirError extends Error {
  override name = "DataDirError";
}

/**
 * Creates DATA_DIR if missing and makes sure this process may write in it. A
 * Docker bind mount the host created as root is the usual way to get this
 * wrong: the boot then ends in one line with the fix, not an EACCES stack.
 */
export function ensureDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.W_OK | constants.X_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EACCES" && code !== "EPERM" && code !== "EROFS") throw error;
    const [uid, gid] = [process.getuid?.(), process.getgid?.()];
    throw new DataDirError(
      `DATA_DIR ${path.resolve(dataDir)} is not writable by this process (user ${uid}): ` +
        `give it to that user, e.g. on the host of a Docker bind mount: chown -R ${uid}:${gid} <the mounted folder>.`,
    );
  }
}
