import { describe, expect, test } from "vitest";
import { retryDelayMs } from "~/.server/sms/retry-delay";

const policy = { maxDelayMs: 300_000, retryAfterMs: null };

describe("how long a waiting reply waits before the next attempt", () => {
  test("the first retry comes within 5 s, and each wait about doubles", () => {
    const longest = (attempt: number) => retryDelayMs(attempt, policy, () => 1);
    const shortest = (attempt: number) => retryDelayMs(attempt, policy, () => 0);
    expect(longest(1)).toBe(5_000);
    expect(shortest(1)).toBe(2_500);
    expect([2, 3, 4, 5].map(longest)).toEqual([10_000, 20_000, 40_000, 80_000]);
  });

  test("never longer than SMS_RETRY_MAX_DELAY, however many attempts failed", () => {
    expect(retryDelayMs(30, policy, () => 1)).toBe(300_000);
    expect(retryDelayMs(30, { maxDelayMs: 2_000, retryAfterMs: null }, () => 1)).toBe(2_000);
  });

  test("the jitter spreads a crowd of waiting replies over half the wait", () => {
    const waits = new Set(Array.from({ length: 50 }, () => retryDelayMs(3, policy)));
    expect(waits.size).toBeGreaterThan(25);
    for (const wait of waits) expect(wait).toBeGreaterThanOrEqual(10_000);
  });

  test("a provider's Retry-After is honoured even past the usual wait", () => {
    expect(retryDelayMs(1, { maxDelayMs: 300_000, retryAfterMs: 17_000 }, () => 1)).toBe(17_000);
    expect(retryDelayMs(1, { maxDelayMs: 2_000, retryAfterMs: 600_000 }, () => 0)).toBe(600_000);
  });
});
