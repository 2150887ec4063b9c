import { describe, expect, test } from "vitest";
import { toSmsSendError } from "~/.server/sms/messagebird";

/** The shapes the `messagebird` SDK calls back with (lib/messagebird.js httpRequest). */
function apiError(statusCode: number, ...errors: { code: number; description: string; parameter?: string | null }[]) {
  return Object.assign(new Error(`api error(s): ${errors.map((e) => e.description).join(", ")}`), {
    statusCode,
    errors,
  });
}

describe("MessageBird error mapping", () => {
  test.each([
    [
      "bad access key (code 2)",
      apiError(401, { code: 2, description: "Request not allowed (incorrect access_key)", parameter: "access_key" }),
      false,
      "2",
    ],
    [
      "bad recipient (code 9)",
      apiError(422, { code: 9, description: "no (correct) recipients found", parameter: "recipient" }),
      false,
      "9",
    ],
    [
      "invalid recipient (code 10)",
      apiError(422, { code: 10, description: "recipients is invalid", parameter: "recipients" }),
      false,
      "10",
    ],
    ["no balance (code 25)", apiError(402, { code: 25, description: "Not enough balance" }), false, "25"],
    [
      "other validation error",
      apiError(422, { code: 10, description: "originator is invalid", parameter: "originator" }),
      false,
      "10",
    ],
    ["internal error (code 99)", apiError(500, { code: 99, description: "Internal error" }), true, "99"],
    ["rate limited", apiError(429, { code: 98, description: "Too many requests" }), true, "98"],
    ["non-JSON 502 from a proxy", Object.assign(new Error("response failed"), { statusCode: 502 }), true, null],
    ["network error", new Error("request failed: getaddrinfo ENOTFOUND rest.messagebird.com"), true, null],
    ["timeout", new Error("request failed: socket hang up"), true, null],
  ])("%s", (_, error, retryable, providerCode) => {
    const mapped = toSmsSendError(error);
    expect(mapped).toMatchObject({ retryable, providerCode, name: "SmsSendError" });
    expect(mapped.cause).toBe(error);
    expect(mapped.reason.length).toBeGreaterThan(10);
  });

  test("a bad recipient reads as something a person understands, with MessageBird's words kept", () => {
    const mapped = toSmsSendError(
      apiError(422, { code: 9, description: "no (correct) recipients found", parameter: "recipient" }),
    );
    expect(mapped.reason).toBe("This phone number cannot receive SMS (MessageBird: no (correct) recipients found).");
    expect(mapped.statusCode).toBe(422);
  });
});
