import { HttpResponse } from "msw";
import { describe, expect, test } from "vitest";
import { env } from "~/.server/platform/env";
import { createSimulatorGateway } from "~/.server/sms/simulator";
import { action, loader } from "~/routes/dev.phone";
import { APP_URL, useMessageBirdMock } from "../mocks/messagebird";
import { callAction, callLoader, formErrors, typedValues } from "../support/route-call";

const messagebird = useMessageBirdMock();

const load = (search = "") => callLoader(loader, { url: `/dev/phone${search}` });
const post = (form: Record<string, string>) => callAction(action, { url: "/dev/phone", form });

describe("/dev/phone", () => {
  test("shows what the simulator delivered to a number, oldest first, with the service number and local webhook secret", async () => {
    const gateway = createSimulatorGateway({ deliver: async () => {} });
    await gateway.send({
      from: "+447700900000",
      to: "+31612345678",
      body: "Your Birdline code is 111111.",
      reference: "a",
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await gateway.send({ from: "+447700900000", to: "+31612345678", body: "<b>not markup</b>", reference: "b" });
    await gateway.send({ from: "+447700900000", to: "+31687654321", body: "for someone else", reference: "c" });

    const { data: page } = await load("?number=%2B31612345678");

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
    expect(await load("?number=06%2012%2034%2056%2078")).toHaveRedirect("/dev/phone?number=%2B31612345678");
  });

  test("without a number it shows the picker; an unreadable number says so", async () => {
    expect((await load()).data).toMatchObject({ number: null, messages: [], numberError: null });
    expect((await load("?number=banana")).data).toMatchObject({
      number: null,
      numberError: expect.stringMatching(/not a phone number/),
    });
  });

  test("sending posts the SMS to the real inbound webhook over HTTP and redirects back to the handset", async () => {
    const outcome = await post({ number: "+31612345678", body: "  Hello from my phone  " });

    expect(outcome).toHaveRedirect("/dev/phone?number=%2B31612345678");
    expect(messagebird.inbound).toHaveLength(1);
    expect(messagebird.inbound[0]!.url.searchParams.get("secret")).toBe("test-webhook-secret-0123456789");
    expect(messagebird.inbound[0]!.body).toEqual({
      originator: "+31612345678",
      recipient: "+447700900000",
      payload: "Hello from my phone",
      messageId: expect.stringMatching(/^[0-9a-f]{32}$/),
      receivedAt: expect.any(String),
    });
  });

  test("a webhook that refuses the SMS shows why and keeps the typed text", async () => {
    messagebird.answerNextInbound(() => HttpResponse.json({ error: "bad credentials" }, { status: 401 }));

    const outcome = await post({ number: "+31612345678", body: "Keep me" });

    expect(outcome).toHaveStatus(502);
    expect(formErrors(outcome)).toEqual([expect.stringMatching(/^The webhook answered 401: .*bad credentials/)]);
    expect(typedValues(outcome).body).toBe("Keep me");
  });

  test("an empty message is refused before anything is sent", async () => {
    const outcome = await post({ number: "+31612345678", body: "   " });
    expect(outcome).toHaveStatus(400);
    expect(formErrors(outcome, "body")).toEqual(["Type a message to send."]);
    expect(messagebird.inbound).toHaveLength(0);
  });

  test("does not exist when MessageBird sends the SMS", async () => {
    const writable = env as { smsGateway: string };
    writable.smsGateway = "messagebird";
    try {
      expect(await load("?number=%2B31612345678")).toHaveStatus(404);
      expect(await post({ number: "+31612345678", body: "x" })).toHaveStatus(404);
    } finally {
      writable.smsGateway = "simulator";
    }
  });
});
