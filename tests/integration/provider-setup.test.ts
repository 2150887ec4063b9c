import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { beforeEach, describe, expect, test, vi } from "vitest";
import { db } from "~/.server/platform/db/client";
import { birdWebhooks, numbers } from "~/.server/platform/db/schema";
import { log } from "~/.server/platform/log";
import {
  addBirdNumber,
  providerOverview,
  registerBirdWebhook,
  reportProviderProblem,
} from "~/.server/sms/provider-setup";
import { action as birdWebhook } from "~/routes/webhooks.bird";
import { callAction, jsonAnswer } from "../support/route-call";
import { BIRD_KEY, birdError, useBirdMock } from "../mocks/bird";

// A Bird platform key: env.ts reads it at import, and detects the eu1 region from it.
vi.hoisted(() => {
  process.env.MESSAGEBIRD_API_KEY = "bk_eu1_testkeypayload0123456789abcdef";
});

const { requests, answerNext } = useBirdMock();

beforeEach(async () => {
  await db.delete(birdWebhooks);
  await db.delete(numbers).where(eq(numbers.number, "+31970102030"));
});

describe("the Bird setup page's domain", () => {
  test("shows the workspace and its SMS numbers, which join Birdline only when added", async () => {
    const overview = await providerOverview();
    expect(overview).toMatchObject({
      api: "bird",
      simulated: false,
      problem: null,
      workspace: { name: "Acme Support" },
    });
    if (overview.api !== "bird") throw new Error("expected the Bird platform");
    expect(overview.numbers.map((n) => [n.number, n.inBirdline])).toEqual([
      ["+31970102030", false],
      ["+31970102031", false],
    ]);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(["GET /workspace", "GET /numbers?capabilities=sms&limit=100"]),
    );
    expect(requests.every((r) => r.headers.get("authorization") === `Bearer ${BIRD_KEY}`)).toBe(true);

    expect(await addBirdNumber("+31970102030")).toEqual({ ok: true });
    const [added] = await db.select().from(numbers).where(eq(numbers.number, "+31970102030"));
    expect(added!.label).toBe("Support NL");
    expect(await addBirdNumber("+31999999999")).toMatchObject({ ok: false, status: 404 });
  });

  test("in local mode against the real Bird it says Bird cannot reach the app", async () => {
    const overview = await providerOverview();
    expect(overview.api === "bird" && overview.webhook).toMatchObject({
      url: "http://localhost:3000/webhooks/bird",
      unreachable: true,
    });
  });

  test.each([
    [421, /another region .*Bird: use https:\/\/us1\.platform\.bird\.com.*bk_<region>_/],
    [401, /Bird refused MESSAGEBIRD_API_KEY .*create a new key/],
    [403, /lacks a permission: create a key with SMS, numbers, webhooks and workspace access/],
  ] as const)(
    "a %i is one sentence naming the fix, on the page and at boot, never quoting the key",
    async (status, sentence) => {
      const answer = () =>
        birdError(status, "KeyProblem", status === 421 ? "Bird: use https://us1.platform.bird.com" : "no");
      answerNext(answer, answer);
      const overview = await providerOverview();
      expect(overview.problem).toMatch(sentence);
      expect(JSON.stringify(overview)).not.toContain(BIRD_KEY);

      answerNext(answer);
      const logged = vi.spyOn(log, "error").mockImplementation(() => {});
      await reportProviderProblem();
      expect(logged).toHaveBeenCalledWith(expect.stringMatching(sentence));
      expect(JSON.stringify(logged.mock.calls)).not.toContain(BIRD_KEY);
      logged.mockRestore();
    },
  );

  test("Register webhook sends our public URL and every sms.* event; the secret is in force at once", async () => {
    const webhook = new Webhook(`whsec_${Buffer.from("a".repeat(32)).toString("base64")}`);
    const event = JSON.stringify({ type: "email.opened", timestamp: new Date().toISOString(), data: {} });
    const deliver = async () => {
      const headers = { "webhook-id": "msg_1", "webhook-timestamp": String(Math.floor(Date.now() / 1000)) };
      const signature = webhook.sign("msg_1", new Date(), event);
      const request = new Request("http://localhost:3000/webhooks/bird", {
        method: "POST",
        headers: { ...headers, "webhook-signature": signature, "content-type": "application/json" },
        body: event,
      });
      return jsonAnswer(await callAction(birdWebhook, { request })).status;
    };
    expect(await deliver()).toBe(503);

    expect(await registerBirdWebhook()).toEqual({ ok: true, id: "whk_test1" });
    const [sent] = requests.filter((r) => r.path === "/webhooks");
    expect(sent!.body).toEqual({
      url: "http://localhost:3000/webhooks/bird",
      description: "Birdline",
      events: [
        "sms.received",
        "sms.accepted",
        "sms.sent",
        "sms.delivered",
        "sms.undelivered",
        "sms.failed",
        "sms.rejected",
        "sms.expired",
        "sms_suppression.created",
      ],
    });
    expect(await deliver()).toBe(200);
  });

  test("a registration Bird refuses says why", async () => {
    answerNext(() => birdError(422, "InvalidURL", "url must be a public https URL"));
    expect(await registerBirdWebhook()).toEqual({
      ok: false,
      message: "Bird answered 422: url must be a public https URL.",
    });
  });
});
