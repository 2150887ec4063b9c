import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { InboxEvent } from "~/.server/platform/event-bus";
import { startApp, stopApp, type AppProcess } from "../support/app-process";
import { readEventStream } from "../support/event-stream";
import { createUser } from "../support/factories";

// Generous on purpose: the latency target belongs to the benchmark, this proves the path exists.
const DELIVERY_BOUND_MS = 1_000;

describe("two instances on one database", () => {
  const instances: AppProcess[] = [];

  beforeAll(async () => {
    instances.push(...(await Promise.all([startApp(), startApp()])));
  });
  afterAll(async () => {
    await Promise.all(instances.map(stopApp));
  });

  test("an SMS arriving through instance A reaches an /events stream on instance B within a second", async ({
    annotate,
  }) => {
    const [a, b] = instances as [AppProcess, AppProcess];
    const agent = await createUser({ role: "agent" });
    const abort = new AbortController();
    const response = await fetch(`${b.url}/events`, { headers: { cookie: agent.cookie }, signal: abort.signal });
    expect(response).toHaveStatus(200);
    const stream = readEventStream(response.body!);
    await stream.until((text) => text.startsWith("retry:"));

    const latencies: number[] = [];
    try {
      for (let n = 1; n <= 5; n++) {
        const started = performance.now();
        const webhook = await fetch(`${a.url}/webhooks/messagebird?secret=${process.env.MESSAGEBIRD_WEBHOOK_SECRET}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            originator: "+31612340009",
            recipient: "+447700900000",
            payload: `ping ${n}`,
            messageId: `multi-${n}`,
          }),
        });
        expect(webhook).toHaveStatus(200);
        const { id } = (await webhook.json()) as { id: string };
        await stream.until((text) => text.includes(id), DELIVERY_BOUND_MS);
        latencies.push(performance.now() - started);
        const event = stream
          .events()
          .map((e) => JSON.parse(e.data) as InboxEvent)
          .find((e) => e.messageId === id);
        expect(event).toMatchObject({ kind: "message", messageId: id });
      }
    } finally {
      abort.abort();
    }
    // Shown in the test report: how far from the bound the path runs.
    await annotate(`webhook into A → event at B: ${latencies.map((ms) => `${ms.toFixed(1)} ms`).join(", ")}`);
    expect(Math.max(...latencies)).toBeLessThan(DELIVERY_BOUND_MS);
  });
});
