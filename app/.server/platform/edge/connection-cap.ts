import { readFileSync } from "node:fs";

/**
 * How many client connections the server holds at once: the process's
 * open-files limit less a reserve for what must keep working during a flood of
 * idle connections (the database pool and LISTEN, the embedded cluster's
 * pipes, static files, the log). Past the cap node closes a new connection at
 * once; without one it accepts until every descriptor is taken, and then not
 * even Postgres can be reached. Undefined where the limit cannot be read.
 */
export function connectionCap(limits: string = processLimits()): number | undefined {
  const soft = /^Max open files\s+(\d+)\s/m.exec(limits)?.[1];
  if (soft === undefined) return undefined;
  const files = Number(soft);
  return Math.max(16, files - Math.max(64, Math.ceil(files / 10)));
}

function processLimits(): string {
  try {
    return readFileSync("/proc/self/limits", "utf8");
  } catch {
    // Not Linux: leave node's default (no cap) rather than guess.
    return "";
  }
}
