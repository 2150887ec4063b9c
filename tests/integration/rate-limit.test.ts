import { describe, expect, test, vi } from "vitest";
import { checkLimit, clearLimit, hitLimit, takeLimits, type Limit } from "~/.server/platform/rate-limit";

const limit: Limit = { name: "test", max: 3, windowMs: 60_000 };

describe("rate limits", () => {
  test("allow max attempts per window, then refuse with a Retry-After", async () => {
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await hitLimit(limit, "a@example.com"));
    expect(results.map((r) => r.limited)).toEqual([false, false, false, true]);
    expect(results[3]!.retryAfterSeconds).toBeGreaterThan(50);
    expect((await checkLimit(limit, "A@example.com")).limited).toBe(true);
    expect((await checkLimit(limit, "b@example.com")).limited).toBe(false);
  });

  test("count every one of many concurrent attempts", async () => {
    await Promise.all(Array.from({ length: 20 }, () => hitLimit(limit, "burst")));
    expect((await checkLimit(limit, "burst")).count).toBe(20);
  });

  test("start a new window once the old one has passed, and can be cleared", async () => {
    const short: Limit = { name: "short", max: 1, windowMs: 200 };
    await hitLimit(short, "x");
    expect((await hitLimit(short, "x")).limited).toBe(true);
    await vi.waitFor(async () => expect((await checkLimit(short, "x")).limited).toBe(false), { timeout: 2000 });
    expect((await hitLimit(short, "x")).limited).toBe(false);
    await clearLimit(short, "x");
    expect((await checkLimit(short, "x")).count).toBe(0);
  });

  test("takeLimits: of many concurrent attempts exactly max pass, and refused ones use up nothing", async () => {
    const narrow: Limit = { name: "narrow", max: 3, windowMs: 60_000 };
    const wide: Limit = { name: "wide", max: 10, windowMs: 60_000 };
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        takeLimits([
          [narrow, "one"],
          [wide, "all"],
        ]),
      ),
    );
    expect(outcomes.filter((refused) => refused === null)).toHaveLength(3);
    expect((await checkLimit(narrow, "one")).count).toBe(3);
    // The wide budget paid only for the three that passed, so another subject may still use it.
    expect((await checkLimit(wide, "all")).count).toBe(3);
    expect(
      await takeLimits([
        [narrow, "two"],
        [wide, "all"],
      ]),
    ).toBeNull();
  });

  test("takeLimits answers with the longest wait among the limits that refuse", async () => {
    const minute: Limit = { name: "minute", max: 1, windowMs: 60_000 };
    const hour: Limit = { name: "hour", max: 1, windowMs: 3_600_000 };
    await takeLimits([
      [minute, "s"],
      [hour, "s"],
    ]);
    const refused = await takeLimits([
      [minute, "s"],
      [hour, "s"],
    ]);
    expect(refused?.retryAfterSeconds).toBeGreaterThan(3500);
  });
});
