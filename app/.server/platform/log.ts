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

// Fields often echo what a client sent (an Origin, a path): a client must not choose how long our lines are.
const MAX_FIELD_LENGTH = 256;
const capped = (value: string) =>
  value.length > MAX_FIELD_LENGTH
    ? `${value.slice(0, MAX_FIELD_LENGTH)}… (${value.length - MAX_FIELD_LENGTH} more characters)`
    : value;

export function redact(fields: Fields): Fields {
  return Object.fromEntries(
    Object.entries(fields).map(([key, value]) => {
      if (SECRET_KEY.test(key)) return [key, "[redacted]"];
      const shown = value instanceof Error ? describeError(value) : value;
      return [key, typeof shown === "string" ? capped(shown) : shown];
    }),
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
 * Throttled lines per minute from all keys together: many client addresses
 * (a botnet, or IPv6 addresses picked at will) cannot add up to a flood either.
 */
const THROTTLED_LINES_PER_MINUTE = 60;
const budget = { minute: 0, spent: 0, suppressed: 0 };

/**
 * Logs the first line per key per minute and counts the rest, reporting them on
 * the next line for that key, within a global budget whose overflow is counted
 * on the next line that gets through. Keys are chosen by us (a kind of
 * complaint and the client address), never by what a client sends.
 */
function throttled(key: string, level: Level, message: string, fields?: Fields) {
  const minute = Math.floor(Date.now() / 60_000);
  const seen = throttle.get(key);
  if (seen?.minute === minute) {
    seen.suppressed += 1;
    return;
  }
  if (budget.minute !== minute) Object.assign(budget, { minute, spent: 0 });
  if (budget.spent >= THROTTLED_LINES_PER_MINUTE) {
    budget.suppressed += 1;
    return;
  }
  budget.spent += 1;
  if (!seen && throttle.size >= MAX_THROTTLE_KEYS) throttle.clear();
  throttle.set(key, { minute, suppressed: 0 });
  const counts = {
    ...(seen?.suppressed && { suppressedBefore: seen.suppressed }),
    ...(budget.suppressed && { suppressedOverBudget: budget.suppressed }),
  };
  budget.suppressed = 0;
  write(level, message, { ...fields, ...counts });
}

export const log = {
  debug: (message: string, fields?: Fields) => write("debug", message, fields),
  info: (message: string, fields?: Fields) => write("info", message, fields),
  warn: (message: string, fields?: Fields) => write("warn", message, fields),
  error: (message: string, fields?: Fields) => write("error", message, fields),
  throttled,
};
