import { DrizzleQueryError } from "drizzle-orm/errors";
import postgres from "postgres";
import { describe, expect, test } from "vitest";
import { isConnectionLoss } from "~/.server/platform/db/connection-loss";

// postgres.js builds these from the server's ErrorResponse fields; its types declare no such constructor.
const PostgresError = postgres.PostgresError as unknown as new (fields: {
  code: string;
  message: string;
  severity: string;
}) => Error;
const serverError = (code: string, severity = "ERROR") =>
  new PostgresError({ code, message: `SQLSTATE ${code}`, severity });
const driverError = (code: string) => Object.assign(new Error(`write ${code} 127.0.0.1:5432`), { code });
const socketError = (code: string) => Object.assign(new Error(`read ${code}`), { code, syscall: "read" });

describe("a lost database connection", () => {
  test("is recognised from the driver, the socket or the server, also inside drizzle's query error", () => {
    for (const error of [
      driverError("CONNECTION_CLOSED"),
      driverError("CONNECT_TIMEOUT"),
      socketError("ECONNRESET"),
      socketError("ECONNREFUSED"),
      serverError("57P01", "FATAL"),
      serverError("08006", "FATAL"),
      new DrizzleQueryError('select "id" from "users"', [], driverError("CONNECTION_CLOSED")),
    ]) {
      expect(isConnectionLoss(error), String(error)).toBe(true);
    }
  });

  test("is not a failing statement, which the connection survives", () => {
    for (const error of [
      serverError("23505"),
      serverError("40001"),
      serverError("57014"),
      new DrizzleQueryError("insert into messages", [], serverError("23505")),
      new Error("something else"),
      "CONNECTION_CLOSED",
      undefined,
    ]) {
      expect(isConnectionLoss(error), String(error)).toBe(false);
    }
  });
});
