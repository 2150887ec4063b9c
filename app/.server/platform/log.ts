import { env } from "./env";

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = Exclude<keyof typeof LEVELS, "silent">;
type Fields = Record<string, unknown>;

// Defense in depth: even if a caller passes one by mistake, these never reach the log.
// Whole key names ("code", "apiKey", "passwordHash"), so "providerCode" stays readable.
const SECRET_KEY = /^(code|.*(pass(word)?|secret|token|hash|authorization|cookie|signature|key))$/i;

/**
 * An error as one safe line. Query errors carry the statement's parameters in
 * their message (phone numbers, SMS text): log the driver's reason instead.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.cause instanceof Error) return describeError(error.cause);
  return `${error.name}: ${error.message.split("\nparams:")[0]}`;
}

export function redact(fields: Fields): Fields {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => [
      key,
      SECRET_KEY.test(key) ? "[redacted]" : value instanceof Error ? describeError(value) : value,
    ]),
  );
}

function write(level: Level, message: string, fields?: Fields) {
  if (LEVELS[level] < LEVELS[env.logLevel]) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, message, ...(fields && redact(fields)) });
  (level === "error" || level === "warn" ? process.stderr : process.stdout).write(`${line}\n`);
}

// Bounded so that a flood of distinct keys costs a cleared map, not memory.
const MAX_THROTTLE_KEYS = 1_000;
const throttle = new Map<string, { minute: number; suppressed: number }>();

/**
 * Logs the first line per key per minute and counts the rest, reporting them on
 * the next line for that key: one client cannot fill the log with one complaint.
 */
function throttled(key: string, level: Level, message: string, fields?: Fields) {
  const minute = Math.floor(Date.now() / 60_000);
  const seen = throttle.get(key);
  if (seen?.minute === minute) {
    seen.suppressed += 1;
    return;
  }
  if (!seen && throttle.size >= MAX_THROTTLE_KEYS) throttle.clear();
  throttle.set(key, { minute, suppressed: 0 });
  write(level, message, seen?.suppressed ? { ...fields, suppressedBefore: seen.suppressed } : fields);
}

export const log = {
  debug: (message: string, fields?: Fields) => write("debug", message, fields),
  info: (message: string, fields?: Fields) => write("info", message, fields),
  warn: (message: string, fields?: Fields) => write("warn", message, fields),
  error: (message: string, fields?: Fields) => write("error", message, fields),
  throttled,
};
