import { HttpResponse } from "msw";
import { describe, expect, test } from "vitest";
import { env } from "~/.server/platform/env";
import { addNumber, archiveNumber, listNumbers } from "~/.server/sms/numbers";
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
      chosenNumber: "+447700900000",
      webhookSecret: "test-webhook-secret-0123456789",
      webhookUrl: `${APP_URL}/webhooks/messagebird?secret=test-webhook-secret-0123456789`,
    });
    expect(page.messages.map((m) => [m.direction, m.body, m.ourNumber])).toEqual([
      ["received", "Your Birdline code is 111111.", "+447700900000"],
      ["received", "<b>not markup</b>", "+447700900000"],
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
    const outcome = await post({ number: "+31612345678", to: "+447700900000", body: "  Hello from my phone  " });

    expect(outcome).toHaveRedirect("/dev/phone?number=%2B31612345678&to=%2B447700900000");
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

    const outcome = await post({ number: "+31612345678", to: "+447700900000", body: "Keep me" });

    expect(outcome).toHaveStatus(502);
    expect(formErrors(outcome)).toEqual([expect.stringMatching(/^The webhook answered 401: .*bad credentials/)]);
    expect(typedValues(outcome).body).toBe("Keep me");
  });

  test("an empty message is refused before anything is sent", async () => {
    const outcome = await post({ number: "+31612345678", to: "+447700900000", body: "   " });
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

  test("the handset texts whichever of our receiving numbers is chosen, the default first, and the curl example follows", async () => {
    await addNumber({ number: "+31970102030", label: "Support NL" });
    await addNumber({ number: "Birdline", label: "Notifications" });
    await addNumber({ number: "+3197010209", label: "Old line" });
    const old = (await listNumbers()).find((n) => n.label === "Old line")!;
    await archiveNumber({ numberId: old.id });

    const { data: page } = await load("?number=%2B31612345678");
    // Alphanumeric senders cannot receive and archived numbers take no new conversations: neither is offered.
    expect(page.serviceNumbers.map((n) => n.number)).toEqual(["+447700900000", "+31970102030"]);
    expect(page.chosenNumber).toBe("+447700900000");
    expect((await load("?number=%2B31612345678&to=%2B31970102030")).data.chosenNumber).toBe("+31970102030");

    const outcome = await post({ number: "+31612345678", to: "+31970102030", body: "Hi NL" });
    expect(outcome).toHaveRedirect("/dev/phone?number=%2B31612345678&to=%2B31970102030");
    expect(messagebird.inbound[0]!.body).toMatchObject({ originator: "+31612345678", recipient: "+31970102030" });
  });

  test("without a choice the handset texts the default number", async () => {
    await addNumber({ number: "+31970102031", label: "Second" });
    expect(await post({ number: "+31612345678", body: "Which one?" })).toHaveRedirect();
    expect(messagebird.inbound[0]!.body).toMatchObject({ recipient: "+447700900000" });
  });

  test("a number that is not one of ours is refused with the typed text kept", async () => {
    const outcome = await post({ number: "+31612345678", to: "+31999999999", body: "Keep me" });
    expect(outcome).toHaveStatus(400);
    expect(formErrors(outcome, "to")).toEqual(["Pick one of our numbers that can receive SMS."]);
    expect(typedValues(outcome).body).toBe("Keep me");
    expect(messagebird.inbound).toHaveLength(0);
  });
});
