import { eq } from "drizzle-orm";
import { HttpResponse } from "msw";
import { describe, expect, test, vi } from "vitest";
import { db } from "~/.server/platform/db/client";
import { simulatedSms } from "~/.server/platform/db/schema";
import { smsGateway, SmsSendError } from "~/.server/sms/gateway";
import { createSimulatorGateway, dispatchDeliveryReport, handsetMessages } from "~/.server/sms/simulator";
import { useMessageBirdMock } from "../mocks/messagebird";

const { reports, answerNextReport } = useMessageBirdMock();

describe("simulator gateway", () => {
  test("is the active gateway when no MessageBird key is configured", async () => {
    expect((await smsGateway()).name).toBe("simulator");
  });

  test("records the SMS for the handset and reports delivery to our status webhook like MessageBird", async () => {
    const gateway = createSimulatorGateway({ deliveryDelayMs: 20 });

    const { providerMessageId } = await gateway.send({
      from: "+447700900000",
      to: "+31612345678",
      body: "Your code is 123456",
      reference: "msg-1",
    });

    expect(providerMessageId).toMatch(/^[0-9a-f]{32}$/);
    const [stored] = await db.select().from(simulatedSms).where(eq(simulatedSms.providerMessageId, providerMessageId));
    expect(stored).toMatchObject({
      fromNumber: "+447700900000",
      toNumber: "+31612345678",
      body: "Your code is 123456",
      reference: "msg-1",
    });

    await vi.waitFor(() => expect(reports).toHaveLength(1));
    const report = Object.fromEntries(reports[0]!);
    expect(report).toEqual({
      id: providerMessageId,
      reference: "msg-1",
      recipient: "31612345678",
      status: "delivered",
      statusDatetime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      secret: "test-webhook-secret-0123456789",
    });
  });

  test("an SMS without a reference is recorded but never reported on", async () => {
    const gateway = createSimulatorGateway({ deliveryDelayMs: 1 });
    const { providerMessageId } = await gateway.send({
      from: "+447700900000",
      to: "+31612345678",
      body: "Your code is 654321",
    });
    expect(
      await db.select().from(simulatedSms).where(eq(simulatedSms.providerMessageId, providerMessageId)),
    ).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(reports).toHaveLength(0);
  });

  test("waits a moment before reporting, as a real network does", async () => {
    await createSimulatorGateway({ deliveryDelayMs: 300 }).send({
      from: "+447700900000",
      to: "+31612345679",
      body: "later",
      reference: "msg-2",
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reports).toHaveLength(0);
    await vi.waitFor(() => expect(reports).toHaveLength(1));
  });

  test("a number ending in 0013 is accepted and then reported as delivery_failed", async () => {
    await createSimulatorGateway({ deliveryDelayMs: 0 }).send({
      from: "+447700900000",
      to: "+31612340013",
      body: "x",
      reference: "msg-3",
    });
    await vi.waitFor(() => expect(reports).toHaveLength(1));
    expect(Object.fromEntries(reports[0]!)).toMatchObject({
      status: "delivery_failed",
      statusReason: "unknown subscriber",
    });
  });

  test("numbers ending in 0009 and 0500 fail at once like a bad recipient and an outage", async () => {
    const deliver = vi.fn(async () => {});
    const gateway = createSimulatorGateway({ deliver });
    const refused = await gateway
      .send({ from: "+447700900000", to: "+31612340009", body: "x", reference: "r" })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(SmsSendError);
    expect(refused).toMatchObject({ retryable: false, providerCode: "9" });
    await expect(
      gateway.send({ from: "+447700900000", to: "+31612340500", body: "x", reference: "r" }),
    ).rejects.toMatchObject({ retryable: true });
    expect(await db.select().from(simulatedSms).where(eq(simulatedSms.toNumber, "+31612340009"))).toEqual([]);
    expect(deliver).not.toHaveBeenCalled();
  });

  test("a delivery report the app refuses or cannot receive is logged, never thrown", async () => {
    const report = {
      id: "x",
      reference: "r",
      recipient: "31612345678",
      status: "delivered",
      statusDatetime: new Date().toISOString(),
    } as const;
    answerNextReport(
      () => new HttpResponse(null, { status: 503 }),
      () => HttpResponse.error(),
    );
    await expect(dispatchDeliveryReport(report)).resolves.toBeUndefined();
    await expect(dispatchDeliveryReport(report)).resolves.toBeUndefined();
    expect(reports).toHaveLength(2);
  });

  test("a handset lists what it received, oldest first", async () => {
    const gateway = createSimulatorGateway({ deliver: async () => {} });
    await gateway.send({ from: "+447700900000", to: "+31611112222", body: "first", reference: "a" });
    // Times have millisecond precision; messages sent within one millisecond have no order.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await gateway.send({ from: "+447700900000", to: "+31611112222", body: "second", reference: "b" });
    await gateway.send({ from: "+447700900000", to: "+31633334444", body: "someone else's", reference: "c" });
    const list = await handsetMessages("+31611112222");
    expect(list.map((m) => [m.direction, m.body])).toEqual([
      ["received", "first"],
      ["received", "second"],
    ]);
  });
});
