import { Worker } from "node:worker_threads";

/**
 * zxcvbn's matching grows much faster than the password: a weak 128-character
 * one cost up to a second of CPU (more under load), and on the thread every
 * request shares that froze the whole server. So the checker judges only the
 * first PASSWORD_CHECK_LENGTH characters and runs on a worker thread of its own,
 * one check at a time (docs/decisions/009-password-check-budget.md).
 */
export const PASSWORD_CHECK_LENGTH = 64;

type Verdict = { score: number; warning: string | null; suggestion: string | null };
type Pending = { resolve: (verdict: Verdict) => void; reject: (error: unknown) => void };

const pending = new Map<number, Pending>();
let nextId = 0;
// Started by the first check, not at boot: its word lists and tables are about
// 22 MiB of heap that a process only serving the inbox and webhooks never needs.
let thread: Worker | undefined;

function checkerThread(): Worker {
  if (thread) return thread;
  // Beside this module in the sources, beside the server bundle in the build.
  const worker = new Worker(new URL("./password-strength-worker.js", import.meta.url), {
    workerData: { maxLength: PASSWORD_CHECK_LENGTH },
  });
  // Idle, it must not keep a process alive that is otherwise done (tests, shutdown).
  worker.unref();
  worker.on("message", ({ id, ...verdict }: Verdict & { id: number }) => {
    pending.get(id)?.resolve(verdict);
    pending.delete(id);
  });
  const fail = (error: unknown) => {
    if (thread === worker) thread = undefined;
    for (const check of pending.values()) check.reject(error);
    pending.clear();
  };
  worker.on("error", fail);
  worker.on("exit", (code) => fail(new Error(`password checker exited with code ${code}`)));
  return (thread = worker);
}

function judge(password: string, userInputs: string[]): Promise<Verdict> {
  const id = nextId++;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    checkerThread().postMessage({ id, password, userInputs });
  });
}

/** A helpful sentence when the password is common or guessable (zxcvbn score < 3), else null. */
export async function weakPasswordMessage(password: string, userInputs: string[]): Promise<string | null> {
  const { score, warning, suggestion } = await judge(password, [...userInputs, "birdline"]);
  if (score >= 3) return null;
  const why = warning || "This password is easy to guess.";
  const tip = suggestion || "Try a few unrelated words together.";
  return `${why} ${tip}`.trim();
}
