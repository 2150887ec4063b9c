import { HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { env } from "~/.server/platform/env";
import { createSimulatorGateway } from "~/.server/sms/simulator";
import { action, loader } from "~/routes/dev.phone";
import { APP_URL, inboundWebhook } from "../mocks/messagebird";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

type LoaderArgs = Parameters<typeof loader>[0];
type ActionArgs = Parameters<typeof action>[0];

const load = (search = "") =>
  loader({ request: new Request(`${APP_URL}/dev/phone${search}`), params: {}, context: {} } as unknown as LoaderArgs);

const post = (fields: Record<string, string>) =>
  action({
    request: new Request(`${APP_URL}/dev/phone`, { method: "POST", body: new URLSearchParams(fields) }),
    params: {},
    context: {},
  } as unknown as ActionArgs);

/** What a loader or action threw: a redirect Response or `data()` with a status. */
async function thrown(run: () => Promise<unknown>) {
  try {
    await run();
  } catch (error) {
    return error as Response & { init?: ResponseInit };
  }
  throw new Error("expected the route to throw");
}

describe("/dev/phone", () => {
  test("shows what the simulator delivered to a number, oldest first, with the service number and local webhook secret", async () => {
    const gateway = createSimulatorGateway({ deliver: async () => {} });
    await gateway.send({ from: "+447700900000", to: "+31612345678", body: "Your Birdline code is 111111.", reference: "a" });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await gateway.send({ from: "+447700900000", to: "+31612345678", body: "<b>not markup</b>", reference: "b" });
    await gateway.send({ from: "+447700900000", to: "+31687654321", body: "for someone else", reference: "c" });

    const page = await load("?number=%2B31612345678");

    expect(page).toMatchObject({
      number: "+31612345678",
      numberError: null,
      virtualNumber: "+447700900000",
      webhookSecret: "test-webhook-secret-0123456789",
      webhookUrl: `${APP_URL}/webhooks/messagebird?secret=test-webhook-secret-0123456789`,
    });
    expect(page.messages.map((m) => [m.direction, m.body])).toEqual([
      ["received", "Your Birdline code is 111111."],
      ["received", "<b>not markup</b>"],
    ]);
  });

  test("a number typed in any common format opens its handset at one canonical address", async () => {
    const response = await thrown(() => load("?number=06%2012%2034%2056%2078"));
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/dev/phone?number=%2B31612345678");
  });

  test("without a number it shows the picker; an unreadable number says so", async () => {
    expect(await load()).toMatchObject({ number: null, messages: [], numberError: null });
    expect(await load("?number=banana")).toMatchObject({ number: null, numberError: expect.stringMatching(/not a phone number/) });
  });

  test("sending posts the SMS to the real inbound webhook over HTTP and redirects back to the handset", async () => {
    const received: { url: URL; body: Record<string, unknown> }[] = [];
    server.use(
      inboundWebhook((request) => {
        received.push(request);
        return HttpResponse.json({ status: "stored", id: "m1" });
      }),
    );

    const response = await thrown(() => post({ number: "+31612345678", body: "  Hello from my phone  " }));

    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/dev/phone?number=%2B31612345678");
    expect(received).toHaveLength(1);
    expect(received[0]!.url.searchParams.get("secret")).toBe("test-webhook-secret-0123456789");
    expect(received[0]!.body).toEqual({
      originator: "+31612345678",
      recipient: "+447700900000",
      payload: "Hello from my phone",
      messageId: expect.stringMatching(/^[0-9a-f]{32}$/),
      receivedAt: expect.any(String),
    });
  });

  test("a webhook that refuses the SMS shows why and keeps the typed text", async () => {
    server.use(inboundWebhook(() => HttpResponse.json({ error: "bad credentials" }, { status: 401 })));

    const result = (await post({ number: "+31612345678", body: "Keep me" })) as unknown as {
      data: { result: { error: Record<string, string[]>; initialValue: Record<string, string> } };
      init: ResponseInit;
    };

    expect(result.init.status).toBe(502);
    expect(result.data.result.error[""]).toEqual([expect.stringMatching(/^The webhook answered 401: .*bad credentials/)]);
    expect(result.data.result.initialValue.body).toBe("Keep me");
  });

  test("an empty message is refused before anything is sent", async () => {
    const result = (await post({ number: "+31612345678", body: "   " })) as unknown as {
      data: { result: { error: Record<string, string[]> } };
      init: ResponseInit;
    };
    expect(result.init.status).toBe(400);
    expect(result.data.result.error.body).toEqual(["Type a message to send."]);
  });

  test("does not exist when MessageBird sends the SMS", async () => {
    const writable = env as { smsGateway: string };
    writable.smsGateway = "messagebird";
    try {
      expect((await thrown(() => load("?number=%2B31612345678"))).init?.status).toBe(404);
      expect((await thrown(() => post({ number: "+31612345678", body: "x" }))).init?.status).toBe(404);
    } finally {
      writable.smsGateway = "simulator";
    }
  });
});
