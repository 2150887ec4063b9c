import { describe, expect, test } from "vitest";
import { parseDeliveryReport, parseInboundSms, readFields } from "~/.server/webhooks/parse";

const URL_BASE = "http://localhost:3000/webhooks/messagebird";
const bytes = (text: string) => new TextEncoder().encode(text);
const post = (contentType: string | null, body: string | Uint8Array, query = "") =>
  readFields({
    method: "POST",
    url: new URL(`${URL_BASE}${query}`),
    contentType,
    body: typeof body === "string" ? bytes(body) : body,
  });
const get = (query: string) =>
  readFields({ method: "GET", url: new URL(`${URL_BASE}?${query}`), contentType: null, body: new Uint8Array() });

const inbound = (fields: ReturnType<typeof readFields>) => {
  if (!fields.ok) throw new Error(fields.reason);
  return parseInboundSms(fields.value);
};

const expected = {
  from: "+31612345678",
  to: "+447700900000",
  body: "Hello there",
  providerMessageId: "abc123",
  sentAt: "2024-05-01T10:00:00Z",
};

describe("inbound SMS in every format MessageBird uses", () => {
  test("Flow Builder JSON (the tutorial's shape)", () => {
    const json = {
      originator: "31612345678",
      recipient: "447700900000",
      payload: "Hello there",
      messageId: "abc123",
      receivedAt: "2024-05-01T10:00:00Z",
    };
    expect(inbound(post("application/json; charset=utf-8", JSON.stringify(json)))).toEqual({
      ok: true,
      value: expected,
    });
  });

  test("legacy forwarding as a GET query", () => {
    const query =
      "id=abc123&recipient=447700900000&originator=31612345678&body=Hello+there&createdDatetime=2024-05-01T10%3A00%3A00Z";
    expect(inbound(get(query))).toEqual({ ok: true, value: expected });
  });

  test("the same fields as a form POST", () => {
    const form =
      "id=abc123&recipient=447700900000&originator=31612345678&body=Hello%20there&createdDatetime=2024-05-01T10:00:00Z";
    expect(inbound(post("application/x-www-form-urlencoded", form))).toEqual({ ok: true, value: expected });
  });

  test("a POST with no body and no content type carries its fields in the query", () => {
    expect(
      inbound(
        post(
          null,
          "",
          "?id=abc123&recipient=447700900000&originator=31612345678&body=Hello+there&createdDatetime=2024-05-01T10:00:00Z",
        ),
      ),
    ).toEqual({ ok: true, value: expected });
  });

  test.each([
    [{ message: "Hello there", mid: "abc123", receive_datetime: "2024-05-01T10:00:00Z" }],
    [{ body: "Hello there", id: "abc123", createdDatetime: "2024-05-01T10:00:00Z" }],
    [{ payload: "Hello there", messageId: "abc123", receivedAt: "2024-05-01T10:00:00Z" }],
  ])("aliases %j mean the same message", (aliased) => {
    const json = { originator: "31612345678", recipient: "447700900000", ...aliased };
    expect(inbound(post("application/json", JSON.stringify(json)))).toEqual({ ok: true, value: expected });
  });

  test("numbers and ids sent as JSON numbers are accepted and normalized to E.164", () => {
    const json = { originator: 31612345678, recipient: "+44 7700 900000", payload: "Hi", messageId: 42 };
    expect(inbound(post("application/json", JSON.stringify(json)))).toEqual({
      ok: true,
      value: { from: "+31612345678", to: "+447700900000", body: "Hi", providerMessageId: "42", sentAt: undefined },
    });
  });

  test("the text is kept exactly: emoji, newlines, spaces and 1,600+ characters of concatenated SMS", () => {
    const text = `  Héllo 👋🏽\r\nline two\n\t${"long concatenated text ".repeat(80)}  `;
    expect(text.length).toBeGreaterThan(1600);
    const json = { originator: "31612345678", recipient: "447700900000", payload: text };
    expect(inbound(post("application/json", JSON.stringify(json)))).toMatchObject({ ok: true, value: { body: text } });
    const form = `originator=31612345678&recipient=447700900000&body=${encodeURIComponent(text)}`;
    expect(inbound(post("application/x-www-form-urlencoded", form))).toMatchObject({ ok: true, value: { body: text } });
  });

  test("an empty text is still a message", () => {
    expect(inbound(get("originator=31612345678&recipient=447700900000&body="))).toMatchObject({
      ok: true,
      value: { body: "" },
    });
  });

  test("a NUL character, which Postgres cannot store, becomes a visible replacement instead of losing the message", () => {
    const json = { originator: "31612345678", recipient: "447700900000", payload: "a\u0000b" };
    expect(inbound(post("application/json", JSON.stringify(json)))).toMatchObject({
      ok: true,
      value: { body: "a\uFFFDb" },
    });
  });

  test("the shared secret is credentials, never a field", () => {
    const fields = get("secret=abc&originator=1");
    expect(fields).toEqual({ ok: true, value: { originator: "1" } });
  });
});

describe("refusals name what is wrong", () => {
  test.each([
    [{ recipient: "447700900000", payload: "x" }, "originator: required"],
    [{ originator: "31612345678", payload: "x" }, "recipient: required"],
    [{ originator: "31612345678", recipient: "447700900000" }, "payload | body | message: required"],
    [{ originator: "hello", recipient: "447700900000", payload: "x" }, "originator: not a phone number"],
    [{ originator: "12", recipient: "447700900000", payload: "x" }, "originator: not a phone number"],
    [{ originator: ["31612345678"], recipient: "447700900000", payload: "x" }, "originator: expected a string"],
    [{ originator: "31612345678", recipient: "447700900000", body: 12 }, "body: expected a string"],
    [
      { originator: "31612345678", recipient: "447700900000", payload: "x", mid: "m".repeat(129) },
      "mid: longer than 128 characters",
    ],
    [{ originator: "3".repeat(40), recipient: "447700900000", payload: "x" }, "originator: longer than 32 characters"],
  ])("%j → %s", (json, reason) => {
    expect(inbound(post("application/json", JSON.stringify(json)))).toEqual({ ok: false, status: 400, reason });
  });

  test.each([
    ["application/json", "{", "body: malformed JSON"],
    ["application/json", "[1,2]", "body: expected a JSON object"],
    ["application/json", "null", "body: expected a JSON object"],
    ["application/json", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), "body: not valid UTF-8"],
    ["application/x-www-form-urlencoded", "originator=%E0%A4%A", "body: malformed percent-encoding"],
  ] as const)("%s body %j → 400 %s", (type, body, reason) => {
    expect(post(type, body)).toEqual({ ok: false, status: 400, reason });
  });

  test("broken percent-encoding in a query is refused, not silently altered", () => {
    expect(get("originator=%FF")).toEqual({ ok: false, status: 400, reason: "query: malformed percent-encoding" });
  });

  test.each(["text/plain", "multipart/form-data; boundary=x", "application/xml"])("content type %s → 415", (type) => {
    expect(post(type, "originator=1")).toMatchObject({ ok: false, status: 415 });
  });
});

describe("delivery reports", () => {
  const report = (query: string) => {
    const fields = get(query);
    if (!fields.ok) throw new Error(fields.reason);
    return parseDeliveryReport(fields.value);
  };

  test("MessageBird's GET report becomes a plain value", () => {
    const statusAt = new Date(Date.now() - 60_000);
    expect(
      report(
        `id=mb-1&reference=ref-1&recipient=31612345678&status=delivery_failed&statusReason=unknown+subscriber&statusErrorCode=1&statusDatetime=${statusAt.toISOString()}`,
      ),
    ).toEqual({
      ok: true,
      value: {
        providerMessageId: "mb-1",
        reference: "ref-1",
        status: "delivery_failed",
        reason: "unknown subscriber",
        errorCode: "1",
        statusAt,
      },
    });
  });

  test("a report needs an id or a reference, and a known status", () => {
    expect(report("status=delivered")).toEqual({ ok: false, status: 400, reason: "id: required (or reference)" });
    expect(report("reference=r&status=read")).toMatchObject({
      ok: false,
      status: 400,
      reason: expect.stringMatching(/^status: expected one of/),
    });
    expect(report("reference=r")).toEqual({ ok: false, status: 400, reason: "status: required" });
  });

  test("an implausible status time is replaced by the time of arrival rather than refused", () => {
    expect(report("id=x&status=sent&statusDatetime=-200000-01-01T00:00:00Z")).toMatchObject({
      ok: true,
      value: { statusAt: undefined },
    });
    expect(report("id=x&status=sent&statusDatetime=yesterday")).toMatchObject({
      ok: true,
      value: { statusAt: undefined },
    });
  });
});
