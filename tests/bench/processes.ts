// Child processes of the bench and what Linux says about them (/proc).
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export type Server = { url: string; process: ChildProcess };

/**
 * The baseline server in its own process, like the app: both then get a core
 * to themselves and the load generator (this process) treats them alike.
 */
export function startBaseline(env: Record<string, string | undefined>): Promise<Server> {
  const child = spawn(process.execPath, ["--import", "tsx", "tests/bench/baseline-server.ts"], {
    cwd: process.cwd(),
    stdio: ["ignore", "pipe", "inherit"],
    env: { PATH: process.env.PATH, NODE_ENV: "production", ...env },
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`baseline server exited with code ${code}`)));
    let output = "";
    child.stdout!.on("data", function onOutput(chunk: Buffer) {
      output += chunk;
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (!url) return;
      child.stdout!.off("data", onOutput).resume();
      resolve({ url, process: child });
    });
  });
}

export function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** Resident memory of a process in KiB (VmRSS). */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
}

export type OpenFiles = {
  fds: number;
  sockets: number;
  /** TCP sockets on `port`, the server's side of its HTTP clients; the rest are mostly the database pool. */
  httpSockets: number;
};

/** Open file descriptors of a process, how many are sockets, and how many of those serve HTTP on `port`. */
export function openFiles(pid: number, port: number): OpenFiles {
  const dir = `/proc/${pid}/fd`;
  const inodes = new Set<string>();
  const entries = readdirSync(dir);
  for (const entry of entries) {
    try {
      const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`${dir}/${entry}`))?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // Closed between readdir and readlink.
    }
  }
  // Columns of /proc/net/tcp: sl, local address (hex ip:port), remote address, state, ..., inode (10th).
  const portHex = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  let httpSockets = 0;
  for (const table of ["tcp", "tcp6"]) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, "utf8").split("\n").slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns[1]?.endsWith(portHex) && inodes.has(columns[9] ?? "") && columns[3] !== "0A") httpSockets++;
    }
  }
  return { fds: entries.length, sockets: inodes.size, httpSockets };
}

/** This process's soft limit on open files (children inherit it). */
export function openFileLimit(): number {
  const limits = readFileSync("/proc/self/limits", "utf8");
  const soft = /^Max open files\s+(\S+)/m.exec(limits)?.[1];
  return soft === "unlimited" ? Number.POSITIVE_INFINITY : Number(soft);
}

export type Memory = { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };

/** Node options and environment that let `memoryAfterGc` read a child's memory (tests/bench/memory-probe.mjs). */
export function memoryProbeEnv(file: string): Record<string, string> {
  return { NODE_OPTIONS: `--import ${path.resolve("tests/bench/memory-probe.mjs")}`, BENCH_MEMORY_FILE: file };
}

/** A child's memory in bytes right after a full garbage collection, read through its memory probe. */
export async function memoryAfterGc(pid: number, file: string, timeoutMs = 10_000): Promise<Memory> {
  rmSync(file, { force: true });
  process.kill(pid, "SIGUSR2");
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} wrote no memory reading within ${timeoutMs} ms`);
    await sleep(20);
  }
  return JSON.parse(readFileSync(file, "utf8")) as Memory;
}
