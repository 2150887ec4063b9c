import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

// Deployed mode, WEBHOOK_ALLOW_PRIVATE unset: only public https addresses. The app's modules
// read the environment when first imported, so they are imported after it is set.
Object.assign(process.env, { APP_URL: "https://sms.example.com", SMS_GATEWAY: "simulator" });
delete process.env.WEBHOOK_ALLOW_PRIVATE;

const { eq } = await import("drizzle-orm");
const { runDueJobs } = await import("~/.server/background");
const { receiveInbound } = await import("~/.server/conversations/inbound");
const { db } = await import("~/.server/platform/db/client");
const { webhookAttempts, webhookDeliveries, webhookEndpoints } = await import("~/.server/platform/db/schema");
const { seal } = await import("~/.server/platform/secret-box");
const { createEndpoint } = await import("~/.server/outgoing-webhooks/endpoints");
const { freshPhone } = await import("../support/factories");

/** Counts TCP connections on 127.0.0.1: a refused address must not even be connected to. */
let connections = 0;
let port = 0;
const listener = createServer((socket) => {
  connections++;
  socket.destroy();
});
beforeAll(async () => {
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  port = (listener.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => listener.close(() => resolve())));

describe("the address guard, deployed", () => {
  test("saving refuses loopback, private, link-local and names that resolve to them, and plain http", async () => {
    // The form's field error is this answer (outgoing-webhooks.test.ts shows it on the page).
    const save = (url: string) => createEndpoint({ url, events: ["message.received"] });
    for (const [url, reason] of [
      ["https://127.0.0.1/hooks", /127\.0\.0\.1 is this machine/],
      ["https://[::1]/hooks", /::1 is this machine/],
      ["https://10.20.30.40/hooks", /private or reserved network/],
      ["https://169.254.169.254/latest/meta-data/", /private or reserved network/],
      ["https://localhost/hooks", /localhost resolves to .* is this machine/],
      ["http://93.184.216.34/hooks", /Use an https:\/\/ address/],
    ] as const) {
      expect(await save(url), url).toEqual({ ok: false, urlError: expect.stringMatching(reason) });
    }
    expect(await db.select().from(webhookEndpoints)).toEqual([]);
  });

  test("a delivery to an address that has become private is refused after DNS, without connecting", async () => {
    // Saved while the name was public (or by an older version): the attempt decides on what DNS says now.
    const refusals: [string, RegExp][] = [
      [`https://localhost:${port}/hooks`, /^Not sent: localhost resolves to .* is this machine/],
      [`https://127.0.0.1:${port}/hooks`, /^Not sent: 127\.0\.0\.1 is this machine/],
      [`https://[::1]:${port}/hooks`, /^Not sent: ::1 is this machine/],
      ["https://10.0.0.1/hooks", /^Not sent: 10\.0\.0\.1 is a private or reserved network/],
      ["https://169.254.169.254/latest/meta-data/", /^Not sent: 169\.254\.169\.254 is a private or reserved network/],
    ];
    const endpoints = await db
      .insert(webhookEndpoints)
      .values(
        refusals.map(([url]) => ({
          url,
          events: ["message.received"],
          sealedSecret: seal(`whsec_${Buffer.from("a secret of thirty-two bytes....").toString("base64")}`),
        })),
      )
      .returning();

    await receiveInbound({ from: freshPhone(), to: "+447700900000", body: "Hello" });
    await runDueJobs();

    expect(connections).toBe(0);
    const attempts = await db
      .select({ url: webhookEndpoints.url, error: webhookAttempts.error, statusCode: webhookAttempts.statusCode })
      .from(webhookAttempts)
      .innerJoin(webhookDeliveries, eq(webhookDeliveries.id, webhookAttempts.deliveryId))
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId));
    expect(attempts).toHaveLength(endpoints.length);
    for (const [url, reason] of refusals)
      expect(
        attempts.find((attempt) => attempt.url === url),
        url,
      ).toEqual({
        url,
        statusCode: null,
        error: expect.stringMatching(reason),
      });
  });
});
