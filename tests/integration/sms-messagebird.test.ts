import { describe, expect, test } from "vitest";
import { statusReportUrl } from "~/.server/sms/gateway";
import { checkMessageBirdKey, createMessageBirdGateway } from "~/.server/sms/messagebird";
import { accepted, acceptedAnswerLost, messageObject, refusals, useMessageBirdMock } from "../mocks/messagebird";
import { sendFailure } from "../support/send-failure";

const { sent, stored, answerNextSend, answerNextBalance } = useMessageBirdMock();

const config = {
  accessKey: "live_test_key_123",
  apiUrl: new URL("https://rest.messagebird.com"),
  reportUrl: statusReportUrl().toString(),
  timeoutMs: 300,
};
const sms = {
  from: "+447700900000",
  to: "+31612345678",
  body: "Hello from Birdline",
  reference: "0b6a3c1e-message-id",
};

const sendError = () => sendFailure(createMessageBirdGateway(config).send(sms));

describe("MessageBird gateway (its REST API over fetch, intercepted by MSW)", () => {
  test("sends the request MessageBird documents and returns its message id", async () => {
    answerNextSend(accepted({ id: "abc123def456" }));

    await expect(createMessageBirdGateway(config).send(sms)).resolves.toEqual({ providerMessageId: "abc123def456" });

    expect(sent).toHaveLength(1);
    expect(sent[0]!.authorization).toBe("AccessKey live_test_key_123");
    expect(sent[0]!.body).toEqual({
      originator: "+447700900000",
      recipients: ["+31612345678"],
      body: "Hello from Birdline",
      reference: "0b6a3c1e-message-id",
      reportUrl: "http://localhost:3000/webhooks/messagebird/status?secret=test-webhook-secret-0123456789",
    });
  });

  test("an SMS without a reference asks for no delivery report", async () => {
    await createMessageBirdGateway(config).send({ from: sms.from, to: sms.to, body: "Your code is 123456" });
    expect(sent[0]!.body).not.toHaveProperty("reference");
    expect(sent[0]!.body).not.toHaveProperty("reportUrl");
  });

  test("a refused access key (401) is not retryable and tells the admin what to check", async () => {
    answerNextSend(refusals.badKey);
    const error = await sendError();
    expect(error).toMatchObject({ retryable: false, providerCode: "2", statusCode: 401 });
    expect(error.reason).toMatch(/MESSAGEBIRD_API_KEY/);
  });

  test("a bad recipient (422) is not retryable and has a readable reason", async () => {
    answerNextSend(refusals.badRecipient);
    const error = await sendError();
    expect(error).toMatchObject({ retryable: false, providerCode: "9", statusCode: 422 });
    expect(error.reason).toBe("This phone number cannot receive SMS (MessageBird: no (correct) recipients found).");
  });

  test("an empty balance is not retryable", async () => {
    answerNextSend(refusals.noBalance);
    expect(await sendError()).toMatchObject({ retryable: false, providerCode: "25" });
  });

  test("a 5xx is retryable, with or without MessageBird's JSON error body", async () => {
    answerNextSend(refusals.internalError, refusals.unavailable);
    expect(await sendError()).toMatchObject({ retryable: true, providerCode: "99", statusCode: 500 });
    expect(await sendError()).toMatchObject({ retryable: true, providerCode: null, statusCode: 503 });
  });

  test("a dropped connection is retryable, and may have gone out", async () => {
    answerNextSend(refusals.unreachable);
    expect(await sendError()).toMatchObject({ kind: "unknown", statusCode: null });
  });

  test("a MessageBird that does not answer times out as retryable; whether it went out is unknown", async () => {
    answerNextSend(refusals.hangs);
    const started = Date.now();
    const error = await sendError();
    expect(error).toMatchObject({ kind: "unknown", statusCode: null });
    expect(error.reason).toMatch(/did not answer/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test("429 is transient and carries how long MessageBird asked us to wait", async () => {
    answerNextSend(() =>
      Response.json(
        { errors: [{ code: 98, description: "Too many requests" }] },
        { status: 429, headers: { "Retry-After": "5" } },
      ),
    );
    expect(await sendError()).toMatchObject({ kind: "transient", statusCode: 429, retryAfterMs: 5_000 });
  });

  test("an SMS whose answer was lost is found by its reference, paging past the first page of recent messages", async () => {
    const gateway = createMessageBirdGateway(config);
    answerNextSend(acceptedAnswerLost);
    expect(await sendError()).toMatchObject({ kind: "unknown" });
    // 45 other messages went out since: ours is on the third page of 20.
    for (let i = 0; i < 45; i++) stored.unshift(messageObject(`other-${i}`, { ...sms, reference: `other-${i}` }));
    const found = await gateway.findSent({ ...sms, since: new Date(Date.now() - 60_000) });
    expect(found).toEqual({ providerMessageId: stored.at(-1)!.id });
    expect(await gateway.findSent({ ...sms, reference: "never-sent", since: new Date() })).toBeNull();
  });

  test("a sent message's status is looked up by its id", async () => {
    const gateway = createMessageBirdGateway(config);
    const { providerMessageId } = await gateway.send(sms);
    stored[0]!.recipients.items[0]!.status = "delivered";
    expect(await gateway.deliveryStatus(providerMessageId)).toMatchObject({
      providerMessageId,
      reference: sms.reference,
      status: "delivered",
    });
  });

  test("a key the legacy API refuses with 401 is told it may be a Bird CRM access key, and where to get a platform key", async () => {
    answerNextBalance(refusals.badKey);
    const problem = await checkMessageBirdKey(config.accessKey, config.apiUrl);
    expect(problem).toMatch(/may be a Bird CRM access key \(the Channels API\).*create a Bird platform key \(bk_…\)/);
    expect(problem).not.toContain(config.accessKey);
    await expect(checkMessageBirdKey(config.accessKey, config.apiUrl)).resolves.toBeNull();
  });

  test("failures say what a retry can expect: permanent, transient, or outcome unknown", async () => {
    answerNextSend(refusals.badRecipient, refusals.internalError, refusals.hangs);
    expect(await sendError()).toMatchObject({ kind: "permanent" });
    expect(await sendError()).toMatchObject({ kind: "transient" });
    expect(await sendError()).toMatchObject({ kind: "unknown" });
  });
});
