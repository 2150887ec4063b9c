import { describe, expect, test } from "vitest";
import { toSmsSendError } from "~/.server/sms/messagebird";

/** MessageBird's error envelope (`{ errors: [...] }`) with the answer's HTTP status. */
const answer = (statusCode: number, ...errors: { code: number; description: string; parameter?: string | null }[]) => ({
  statusCode,
  errors,
});

describe("MessageBird error mapping", () => {
  test.each([
    [
      "bad access key (code 2)",
      answer(401, { code: 2, description: "Request not allowed (incorrect access_key)", parameter: "access_key" }),
      "permanent",
      "2",
    ],
    [
      "bad recipient (code 9)",
      answer(422, { code: 9, description: "no (correct) recipients found", parameter: "recipient" }),
      "permanent",
      "9",
    ],
    [
      "invalid recipient (code 10)",
      answer(422, { code: 10, description: "recipients is invalid", parameter: "recipients" }),
      "permanent",
      "10",
    ],
    ["no balance (code 25)", answer(402, { code: 25, description: "Not enough balance" }), "permanent", "25"],
    [
      "other validation error",
      answer(422, { code: 10, description: "originator is invalid", parameter: "originator" }),
      "permanent",
      "10",
    ],
    ["internal error (code 99)", answer(500, { code: 99, description: "Internal error" }), "transient", "99"],
    ["rate limited", answer(429, { code: 98, description: "Too many requests" }), "transient", "98"],
    ["non-JSON 502 from a proxy", { statusCode: 502 }, "transient", null],
  ])("%s", (_, error, kind, providerCode) => {
    const mapped = toSmsSendError(error);
    expect(mapped).toMatchObject({ kind, retryable: kind !== "permanent", providerCode, name: "SmsSendError" });
    expect(mapped.reason.length).toBeGreaterThan(10);
  });

  test("a bad recipient reads as something a person understands, with MessageBird's words kept", () => {
    const mapped = toSmsSendError(
      answer(422, { code: 9, description: "no (correct) recipients found", parameter: "recipient" }),
    );
    expect(mapped.reason).toBe("This phone number cannot receive SMS (MessageBird: no (correct) recipients found).");
    expect(mapped.statusCode).toBe(422);
  });

  test("a refused key that is not a legacy key is told it may be a Bird CRM access key", () => {
    expect(toSmsSendError(answer(401, { code: 2, description: "Request not allowed" })).reason).toMatch(
      /Bird CRM access key/,
    );
  });
});
