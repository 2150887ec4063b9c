import { describe, expect, test } from "vitest";
import { describeError, redact } from "~/.server/platform/log";

describe("log lines", () => {
  test("hide secrets by key name but keep support codes readable", () => {
    expect(
      redact({
        code: "123456",
        password: "x",
        passwordHash: "$argon2id$",
        apiKey: "live_x",
        webhookSecret: "s",
        cookie: "c",
        providerCode: "9",
        userId: "u1",
      }),
    ).toEqual({
      code: "[redacted]",
      password: "[redacted]",
      passwordHash: "[redacted]",
      apiKey: "[redacted]",
      webhookSecret: "[redacted]",
      cookie: "[redacted]",
      providerCode: "9",
      userId: "u1",
    });
  });

  test("errors keep the driver's reason, never a query's parameters", () => {
    const query = new Error('Failed query: insert into "messages" ...\nparams: +31612345678,my secret SMS text', {
      cause: Object.assign(new Error('relation "messages" does not exist'), { name: "PostgresError" }),
    });
    expect(describeError(query)).toBe('PostgresError: relation "messages" does not exist');
    expect(describeError(new Error("Failed query: select 1\nparams: +31612345678"))).toBe(
      "Error: Failed query: select 1",
    );
    expect(redact({ error: query }).error).not.toMatch(/31612345678|secret SMS/);
  });

  test("a field a client chose (an Origin, a path) cannot make a line longer than a few hundred characters", () => {
    const origin = `https://${"x".repeat(8_000)}.example`;
    const shown = redact({ origin }).origin as string;
    expect(shown.length).toBeLessThan(400);
    expect(shown).toMatch(/^https:\/\/x+… \(7\d{3} more characters\)$/);
  });
});
