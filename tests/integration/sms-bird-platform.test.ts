import { createServer, type AddressInfo } from "node:net";
import { delay, HttpResponse } from "msw";
import { describe, expect, test } from "vitest";
import { createBirdGateway } from "~/.server/sms/bird-platform";
import { BIRD_API, BIRD_KEY, birdError, useBirdMock } from "../mocks/bird";
import { sendFailure } from "../support/send-failure";

const { requests, answerNext } = useBirdMock();

const gateway = (timeoutMs = 300) =>
  createBirdGateway({
    apiKey: BIRD_KEY,
    baseUrl: () => BIRD_API,
    categories: { reply: "service", code: "authentication" },
    timeoutMs,
  });
const reply = {
  from: "+31970102030",
  to: "+31612345678",
  body: "Hello from Birdline",
  reference: "5b0d7c1e-0000-4000-8000-000000000001",
};

const sendError = (sms = reply, timeoutMs?: number) => sendFailure(gateway(timeoutMs).send(sms));

describe("Bird platform gateway (fetch, intercepted by MSW)", () => {
  test("a reply goes out as POST /v1/sms/messages with the Bearer key, our id as Idempotency-Key and in metadata", async () => {
    answerNext(() => HttpResponse.json({ id: "sms_01abc", status: "accepted" }, { status: 202 }));
    await expect(gateway().send(reply)).resolves.toEqual({ providerMessageId: "sms_01abc" });

    expect(requests).toHaveLength(1);
    const [sent] = requests;
    expect(sent!.method).toBe("POST");
    expect(sent!.path).toBe("/sms/messages");
    expect(sent!.headers.get("authorization")).toBe(`Bearer ${BIRD_KEY}`);
    expect(sent!.headers.get("idempotency-key")).toBe(reply.reference);
    expect(sent!.headers.get("user-agent")).toMatch(/^Birdline/);
    expect(sent!.body).toEqual({
      to: "+31612345678",
      from: "+31970102030",
      text: "Hello from Birdline",
      category: "service",
      metadata: { birdline_message_id: reply.reference },
    });
  });

  test("a verification code goes out as an authentication message, still with an Idempotency-Key", async () => {
    await gateway().send({ from: reply.from, to: reply.to, body: "Your code is 123456" });
    expect(requests[0]!.body).toMatchObject({ category: "authentication", text: "Your code is 123456" });
    expect(requests[0]!.headers.get("idempotency-key")).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("sending the same message again repeats its Idempotency-Key, so Bird replays instead of sending twice", async () => {
    answerNext(() => HttpResponse.json({ id: "sms_first" }, { status: 202 }));
    answerNext(() =>
      HttpResponse.json({ id: "sms_first" }, { status: 202, headers: { "Idempotency-Replay": "true" } }),
    );
    const first = await gateway().send(reply);
    const second = await gateway().send(reply);
    expect(second).toEqual(first);
    expect(requests.map((r) => r.headers.get("idempotency-key"))).toEqual([reply.reference, reply.reference]);
  });

  test.each([
    [401, "AuthenticationError", "permanent", /Bird refused MESSAGEBIRD_API_KEY.*create a new key/],
    [403, "PermissionDenied", "permanent", /lacks a permission/],
    [421, "MisdirectedRequest", "permanent", /another region/],
    [402, "InsufficientBalance", "permanent", /run out of balance/],
    [422, "SMSInvalidRecipient", "permanent", /cannot receive SMS/],
    [422, "SMSDestinationNotEnabled", "permanent", /enable it in Bird/],
    [409, "IdempotencyConflict", "permanent", /already handling/],
    [500, "InternalError", "transient", /Bird is having trouble/],
    [503, "Unavailable", "transient", /Bird is having trouble/],
  ] as const)("Bird's %i %s is a %s failure with a reason to act on", async (status, name, kind, reason) => {
    answerNext(() => birdError(status, name, "what Bird said"));
    const error = await sendError();
    expect(error).toMatchObject({ statusCode: status, kind, retryable: kind !== "permanent", providerCode: "E12000" });
    expect(error.reason).toMatch(reason);
    expect(error.reason).not.toContain(BIRD_KEY);
  });

  test("429 is transient and carries Retry-After for the outbox", async () => {
    answerNext(() => birdError(429, "RateLimited", "slow down", { "Retry-After": "17" }));
    expect(await sendError()).toMatchObject({ kind: "transient", statusCode: 429, retryAfterMs: 17_000 });
  });

  test("a Bird that never answers times out with the outcome unknown (the request left)", async () => {
    answerNext(async () => {
      await delay("infinite");
      return HttpResponse.json({});
    });
    const error = await sendError(reply, 200);
    expect(error).toMatchObject({ kind: "unknown", retryable: true, statusCode: null });
    expect(error.reason).toMatch(/did not answer in time/);
  });

  test("a refused connection is transient: Bird never saw the request", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = createBirdGateway({
      apiKey: BIRD_KEY,
      baseUrl: () => `http://127.0.0.1:${port}/v1`,
      categories: { reply: "service", code: "authentication" },
    });
    expect(await sendFailure(unreachable.send(reply))).toMatchObject({ kind: "transient", statusCode: null });
  });

  test("a 2xx without a message id is never reported as sent", async () => {
    answerNext(() => HttpResponse.json({ status: "accepted" }, { status: 202 }));
    expect(await sendError()).toMatchObject({ kind: "unknown" });
  });
});
