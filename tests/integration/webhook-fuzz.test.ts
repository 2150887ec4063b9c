import { count, sum } from "drizzle-orm";
import fc from "fast-check";
import { expect, test } from "vitest";
import { db } from "~/.server/platform/db/client";
import { conversations, messages, webhookRejections } from "~/.server/platform/db/schema";
import { handleWebhook, type WebhookKind } from "~/.server/webhooks/handler";

const SECRET = "test-webhook-secret-0123456789";
const ORIGIN = "http://localhost:3000";
const PATHS: Record<WebhookKind, string> = { inbound: "/webhooks/messagebird", status: "/webhooks/messagebird/status" };

/** A request as plain data, so fast-check can print and shrink it; a fresh Request is built per run. */
type Attempt = {
  kind: WebhookKind;
  method: "GET" | "POST";
  query: string;
  headers: Record<string, string>;
  body?: Uint8Array<ArrayBuffer>;
};

const encode = (text: string) => new TextEncoder().encode(text);
const withSecret = (query = "") => `secret=${SECRET}${query ? `&${query}` : ""}`;
const jsonPost = (json: unknown, query = withSecret()): Attempt => ({
  kind: "inbound",
  method: "POST",
  query,
  headers: { "content-type": "application/json" },
  body: encode(JSON.stringify(json)),
});

const validNumber = fc.constantFrom("31612345678", "+447700900000", "14155552671", 31612345678);
const validText = fc.string({ maxLength: 40 });
const notAString = fc.oneof(
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
);
// Letters, symbols and too-short digit runs: never a possible phone number.
const notANumber = fc.oneof(fc.stringMatching(/^[a-zA-Z #*]{0,20}$/), fc.stringMatching(/^\d{1,4}$/), notAString);

/** Random bytes under every content type MessageBird could (or could not) send. */
const randomBytes = fc
  .record({
    bytes: fc.uint8Array({ maxLength: 512 }),
    type: fc.constantFrom(
      "application/json",
      "application/x-www-form-urlencoded",
      "text/plain",
      "application/octet-stream",
      "",
    ),
    kind: fc.constantFrom<WebhookKind>("inbound", "status"),
  })
  .map(({ bytes, type, kind }): Attempt => ({
    kind,
    method: "POST",
    query: withSecret(),
    headers: type ? { "content-type": type } : {},
    body: bytes,
  }));

/** The right shape with at least one field of the wrong type, missing, or not a number. */
const wrongTypes = fc
  .record({
    originator: validNumber as fc.Arbitrary<unknown>,
    recipient: validNumber as fc.Arbitrary<unknown>,
    payload: validText as fc.Arbitrary<unknown>,
    broken: fc.constantFrom("originator", "recipient", "payload"),
    originatorValue: notANumber,
    payloadValue: fc.oneof(notAString, fc.integer(), fc.constant(undefined)),
    messageId: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 10 }), fc.integer()),
  })
  .map(({ broken, originatorValue, payloadValue, ...fields }) => {
    const json: Record<string, unknown> = { ...fields };
    if (broken === "payload") json.payload = payloadValue;
    else json[broken] = originatorValue;
    return jsonPost(json);
  });

/** Oversized bodies and fields. */
const hugeFields = fc.oneof(
  fc
    .integer({ min: 64 * 1024 + 1, max: 80 * 1024 })
    .map((size) => jsonPost({ originator: "31612345678", recipient: "447700900000", payload: "x".repeat(size) })),
  fc
    .integer({ min: 129, max: 5000 })
    .map((size) =>
      jsonPost({ originator: "31612345678", recipient: "447700900000", payload: "hi", messageId: "m".repeat(size) }),
    ),
  fc
    .integer({ min: 33, max: 5000 })
    .map((size) => jsonPost({ originator: "3".repeat(size), recipient: "447700900000", payload: "hi" })),
  fc
    .integer({ min: 65, max: 5000 })
    .map((size) =>
      jsonPost({ originator: "31612345678", recipient: "447700900000", payload: "hi", receivedAt: "9".repeat(size) }),
    ),
);

/** A valid message whose bytes or percent-encoding are broken. */
const badEncodings = fc.oneof(
  fc
    .record({
      text: fc.stringMatching(/^[a-z ]{0,30}$/),
      at: fc.nat(),
      junk: fc.constantFrom([0xff], [0xfe], [0xc3, 0x28], [0x80], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]),
      type: fc.constantFrom("application/json", "application/x-www-form-urlencoded"),
    })
    .map(({ text, at, junk, type }): Attempt => {
      const clean =
        type === "application/json"
          ? encode(JSON.stringify({ originator: "31612345678", recipient: "447700900000", payload: text }))
          : encode(`originator=31612345678&recipient=447700900000&body=${encodeURIComponent(text)}`);
      const cut = at % (clean.length + 1);
      const body = new Uint8Array([...clean.subarray(0, cut), ...junk, ...clean.subarray(cut)]);
      return { kind: "inbound", method: "POST", query: withSecret(), headers: { "content-type": type }, body };
    }),
  fc.constantFrom("%E0%A4", "%FF", "%C3%28", "%ED%A0%80", "%", "%zz").map((junk): Attempt => ({
    kind: "inbound",
    method: "GET",
    query: withSecret(`originator=31612345678&recipient=447700900000&body=a${junk}b`),
    headers: {},
  })),
);

/** Perfectly good messages and reports with no, wrong or forged credentials. */
const missingAuth = fc
  .record({
    credentials: fc.oneof(
      fc.constant({ query: "", headers: {} }),
      fc
        .string({ maxLength: 60 })
        .filter((s) => s !== SECRET)
        .map((s) => ({ query: `secret=${encodeURIComponent(s)}`, headers: {} })),
      fc.string({ maxLength: 200 }).map((token) => ({ query: "", headers: { "messagebird-signature-jwt": token } })),
      fc.string({ maxLength: 60 }).map((signature) => ({
        query: "",
        headers: { "messagebird-signature": signature, "messagebird-request-timestamp": "1700000000" },
      })),
    ),
    kind: fc.constantFrom<WebhookKind>("inbound", "status"),
    messageId: fc.string({ minLength: 1, maxLength: 20 }),
  })
  .map(({ credentials, kind, messageId }): Attempt =>
    kind === "inbound"
      ? {
          ...jsonPost(
            { originator: "31612345678", recipient: "447700900000", payload: "valid but unauthenticated", messageId },
            credentials.query,
          ),
          headers: { "content-type": "application/json", ...credentials.headers },
        }
      : {
          kind,
          method: "GET",
          query: [credentials.query, `id=${encodeURIComponent(messageId)}&status=delivered`].filter(Boolean).join("&"),
          headers: credentials.headers,
        },
  );

/** Random queries and reports: missing fields, unknown statuses, arbitrary characters. */
const randomQueries = fc
  .record({
    kind: fc.constantFrom<WebhookKind>("inbound", "status"),
    fields: fc.dictionary(
      fc.constantFrom("id", "reference", "originator", "recipient", "body", "status", "statusReason", "x"),
      fc.string({ maxLength: 30 }),
      { maxKeys: 5 },
    ),
  })
  .filter(({ kind, fields }) =>
    kind === "inbound"
      ? !("originator" in fields && "recipient" in fields && "body" in fields)
      : !["scheduled", "sent", "buffered", "delivered", "expired", "delivery_failed"].includes(fields.status ?? ""),
  )
  .map(({ kind, fields }): Attempt => ({
    kind,
    method: "GET",
    query: withSecret(new URLSearchParams(fields).toString()),
    headers: {},
  }));

const anyMalformed = fc.oneof(randomBytes, wrongTypes, hugeFields, badEncodings, missingAuth, randomQueries);

const toRequest = ({ kind, method, query, headers, body }: Attempt) =>
  new Request(`${ORIGIN}${PATHS[kind]}${query ? `?${query}` : ""}`, {
    method,
    headers,
    body: method === "POST" ? body : undefined,
  });

test(
  "10,000 generated malformed requests answer 4xx, store nothing and never throw",
  { timeout: 120_000 },
  async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(anyMalformed, async (attempt) => {
        const response = await handleWebhook(toRequest(attempt), attempt.kind);
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        expect(await response.json()).toEqual({ error: expect.any(String) });
      }),
      { numRuns: 10_000 },
    );
    expect(await db.select({ n: count() }).from(messages)).toEqual([{ n: 0 }]);
    expect(await db.select({ n: count() }).from(conversations)).toEqual([{ n: 0 }]);
    // Every refusal was counted for admins, in one row per minute, route, answer, reason and source.
    const [recorded] = await db.select({ refusals: sum(webhookRejections.count) }).from(webhookRejections);
    expect(Number(recorded!.refusals)).toBe(10_000);
    expect([...statuses.keys()].sort()).toEqual(expect.arrayContaining([400, 401, 413, 415]));
  },
);
