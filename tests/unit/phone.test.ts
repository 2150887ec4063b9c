import { describe, expect, test } from "vitest";
import { callingCodeOf, formatPhone, normalizeProviderPhone, parseUserPhone } from "~/lib/phone";

describe("numbers people type", () => {
  test.each([
    ["06 12345678", "NL", "+31612345678"],
    ["06-12345678", "NL", "+31612345678"],
    ["+31 6 1234 5678", undefined, "+31612345678"],
    ["(415) 555-2671", "US", "+14155552671"],
    [" +1 415 555 2671 ", "NL", "+14155552671"],
  ] as const)("%s (region %s) becomes %s", (input, region, expected) => {
    expect(parseUserPhone(input, region)).toBe(expected);
  });

  test.each(["12", "abc", "", "+31 6 123", "0612345678"])("%s is refused without a region", (input) => {
    expect(parseUserPhone(input)).toBeNull();
  });
});

describe("numbers MessageBird sends", () => {
  test.each([
    ["31612345678", "+31612345678"],
    ["+31612345678", "+31612345678"],
    ["0031612345678", "+31612345678"],
    ["447700900000", "+447700900000"],
  ])("%s becomes %s", (input, expected) => {
    expect(normalizeProviderPhone(input)).toBe(expected);
  });

  test.each(["", "abc", "12", "+", "31 6x"])("%j is not a number", (input) => {
    expect(normalizeProviderPhone(input)).toBeNull();
  });
});

test("numbers are shown in international format", () => {
  expect(formatPhone("+31612345678")).toBe("+31 6 12345678");
  expect(formatPhone("not a number")).toBe("not a number");
});

test("a number's country calling code, which North America shares", () => {
  expect(callingCodeOf("+31612345678")).toBe("+31");
  expect(callingCodeOf("+14155552671")).toBe("+1");
  expect(callingCodeOf("+18765550123")).toBe("+1");
});
