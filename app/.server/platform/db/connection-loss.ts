import postgres from "postgres";

// postgres.js's own codes for a connection that went away (node_modules/postgres/src/errors.js).
const DRIVER_CODES = new Set(["CONNECTION_CLOSED", "CONNECTION_DESTROYED", "CONNECTION_ENDED", "CONNECT_TIMEOUT"]);

/**
 * True when the connection failed rather than the statement: a Postgres
 * restart, a failover, a network cut. Looks through wrappers such as
 * drizzle's query error, which keeps the driver's error as its cause.
 */
export function isConnectionLoss(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause) {
    // SQLSTATE class 08 is "connection exception", 57P the server shutting down or starting up.
    if (current instanceof postgres.PostgresError) return /^(08|57P)/.test(current.code);
    const { code, syscall } = current as { code?: unknown; syscall?: unknown };
    // A socket error from Node (ECONNRESET, EPIPE, ECONNREFUSED, ...) names the system call that failed.
    if (typeof code === "string" && (DRIVER_CODES.has(code) || typeof syscall === "string")) return true;
  }
  return false;
}
