import { afterEach, beforeEach, expect, test, vi } from "vitest";

const notify = vi.hoisted(() => vi.fn<(channel: string, payload: string) => Promise<void>>());
vi.mock("~/.server/platform/db/client", () => ({ database: { notify } }));

const { EVENTS_CHANNEL, payloadsOf, publish } = await import("~/.server/platform/event-bus");

const event = (n: number) => ({
  kind: "message" as const,
  conversationId: `0000000${n % 10}-0000-4000-8000-000000000000`,
  messageId: `${String(n).padStart(8, "0")}-0000-4000-8000-000000000000`,
});

beforeEach(() => {
  vi.useFakeTimers();
  notify.mockReset().mockResolvedValue(undefined);
});
afterEach(() => vi.useRealTimers());

test("events published together go out as one NOTIFY carrying every id, right after the current task", async () => {
  for (let n = 0; n < 20; n++) publish(event(n));
  expect(notify).not.toHaveBeenCalled();
  await vi.advanceTimersByTimeAsync(0);
  expect(notify).toHaveBeenCalledOnce();
  const [channel, payload] = notify.mock.calls[0]!;
  expect(channel).toBe(EVENTS_CHANNEL);
  expect(JSON.parse(payload)).toEqual(Array.from({ length: 20 }, (_, n) => event(n)));
});

test("events published while a NOTIFY is in flight wait for it, then go out together in the next one", async () => {
  let answer!: () => void;
  notify.mockImplementationOnce(() => new Promise<void>((resolve) => (answer = resolve)));
  publish(event(1));
  await vi.advanceTimersByTimeAsync(0);
  publish(event(2));
  await vi.advanceTimersByTimeAsync(0);
  publish(event(3));
  await vi.advanceTimersByTimeAsync(100);
  expect(notify).toHaveBeenCalledOnce();
  answer();
  await vi.advanceTimersByTimeAsync(0);
  expect(notify).toHaveBeenCalledTimes(2);
  expect(JSON.parse(notify.mock.calls[1]![1])).toEqual([event(2), event(3)]);
});

test("the same event published twice in a burst is sent once", async () => {
  publish(event(1));
  publish(event(1));
  publish({ ...event(1), kind: "status" });
  await vi.advanceTimersByTimeAsync(10);
  expect(JSON.parse(notify.mock.calls[0]![1])).toEqual([event(1), { ...event(1), kind: "status" }]);
});

test("payloads stay under Postgres' 8000-byte NOTIFY limit by splitting, losing nothing", () => {
  const events = Array.from({ length: 500 }, (_, n) => event(n));
  const payloads = payloadsOf(events);
  expect(payloads.length).toBeGreaterThan(1);
  for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8000);
  expect(payloads.flatMap((payload) => JSON.parse(payload))).toEqual(events);
});

test("a failing NOTIFY is logged, never thrown at the caller, and later events still go out", async () => {
  notify.mockRejectedValueOnce(new Error("connection lost"));
  expect(() => publish(event(1))).not.toThrow();
  await vi.advanceTimersByTimeAsync(10);
  publish(event(2));
  await vi.advanceTimersByTimeAsync(10);
  expect(notify).toHaveBeenCalledTimes(2);
  expect(JSON.parse(notify.mock.calls[1]![1])).toEqual([event(2)]);
});
