import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type * as NodeCrypto from "node:crypto";
import { readFileSync } from "node:fs";
import { SignJWT } from "jose";
import { describe, expect, test, vi } from "vitest";
import {
  authenticateWebhook,
  secretMatches,
  verifyBirdSignature,
  verifySignatureJwt,
  type WebhookAuthConfig,
} from "~/.server/webhooks/authenticate";

vi.mock("node:crypto", async (importOriginal) => {
  const crypto = await importOriginal<typeof NodeCrypto>();
  return { ...crypto, timingSafeEqual: vi.fn(crypto.timingSafeEqual) };
});

const SIGNING_KEY = "unit-test-signing-key";
const PUBLIC_URL = "https://sms.example.com/webhooks/messagebird?flow=inbound";
const BODY = new TextEncoder().encode('{"originator":"31612345678","recipient":"447700900000","payload":"hi"}');
const hex = (data: string | Uint8Array) => createHash("sha256").update(data).digest("hex");

type Claims = Record<string, unknown>;
async function signedJwt({
  claims = {},
  key = SIGNING_KEY,
  alg = "HS256",
  url = PUBLIC_URL,
  body = BODY,
  expiresIn = "60s",
}: {
  claims?: Claims;
  key?: string;
  alg?: string;
  url?: string;
  body?: Uint8Array;
  expiresIn?: string;
} = {}) {
  return new SignJWT({ url_hash: hex(url), ...(body.byteLength > 0 && { payload_hash: hex(body) }), ...claims })
    .setProtectedHeader({ alg, typ: "JWT" })
    .setIssuer("MessageBird")
    .setNotBefore("0s")
    .setExpirationTime(expiresIn)
    .setJti(crypto.randomUUID())
    .sign(new TextEncoder().encode(key));
}

const verify = (token: string, overrides: Partial<Parameters<typeof verifySignatureJwt>[0]> = {}) =>
  verifySignatureJwt({ token, url: PUBLIC_URL, body: BODY, signingKey: SIGNING_KEY, ...overrides });

describe("the shared secret", () => {
  test("matches only the exact secret, whatever the lengths", () => {
    expect(secretMatches("test-webhook-secret-0123456789", "test-webhook-secret-0123456789")).toBe(true);
    expect(secretMatches("test-webhook-secret-0123456788", "test-webhook-secret-0123456789")).toBe(false);
    expect(secretMatches("", "test-webhook-secret-0123456789")).toBe(false);
    expect(secretMatches("test-webhook-secret-0123456789-and-more", "test-webhook-secret-0123456789")).toBe(false);
    expect(secretMatches("x".repeat(100_000), "test-webhook-secret-0123456789")).toBe(false);
  });

  test("is compared in constant time as fixed-length digests, so not even the length of a guess shows", () => {
    vi.mocked(timingSafeEqual).mockClear();
    secretMatches("short", "a-much-longer-configured-secret");
    expect(timingSafeEqual).toHaveBeenCalledOnce();
    expect(timingSafeEqual).toHaveBeenCalledWith(
      expect.objectContaining({ length: 32 }),
      expect.objectContaining({ length: 32 }),
    );
  });
});

describe("MessageBird-Signature-JWT", () => {
  test("a token signed for this URL and body is valid, and yields its jti as the nonce", async () => {
    const token = await signedJwt();
    expect(await verify(token)).toEqual({
      ok: true,
      nonce: { value: expect.stringMatching(/^jwt:[0-9a-f-]{36}$/), expiresAt: expect.any(Date) },
    });
  });

  test.each(["HS384", "HS512"])("%s is accepted too", async (alg) => {
    expect(await verify(await signedJwt({ alg }))).toMatchObject({ ok: true });
  });

  test("a tampered body is refused", async () => {
    const token = await signedJwt();
    const tampered = new TextEncoder().encode(new TextDecoder().decode(BODY).replace("hi", "HI"));
    expect(await verify(token, { body: tampered })).toEqual({
      ok: false,
      reason: "invalid signature: payload_hash does not match the body",
    });
  });

  test("a body the token does not cover is refused", async () => {
    const token = await signedJwt({ body: new Uint8Array() });
    expect(await verify(token)).toEqual({
      ok: false,
      reason: "invalid signature: payload_hash does not match the body",
    });
  });

  test("a tampered URL (another query, host or scheme) is refused", async () => {
    const token = await signedJwt();
    for (const url of [
      "https://sms.example.com/webhooks/messagebird?flow=other",
      "https://evil.example.com/webhooks/messagebird?flow=inbound",
      "http://sms.example.com/webhooks/messagebird?flow=inbound",
    ]) {
      expect(await verify(token, { url })).toMatchObject({ ok: false, reason: expect.stringContaining("url_hash") });
    }
  });

  test("a token signed with another key is refused", async () => {
    expect(await verify(await signedJwt({ key: "someone-elses-key" }))).toEqual({
      ok: false,
      reason: "invalid signature: signature mismatch",
    });
  });

  test("an expired token is refused; 5 seconds of clock skew are tolerated", async () => {
    const token = await signedJwt({ expiresIn: "10s" });
    expect(await verify(token, { now: new Date(Date.now() + 14_000) })).toMatchObject({ ok: true });
    expect(await verify(token, { now: new Date(Date.now() + 16_000) })).toEqual({
      ok: false,
      reason: "invalid signature: expired",
    });
  });

  test("a token without jti, without expiry, or from another issuer is refused", async () => {
    const key = new TextEncoder().encode(SIGNING_KEY);
    const base = { url_hash: hex(PUBLIC_URL), payload_hash: hex(BODY) };
    const noJti = await new SignJWT(base)
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("MessageBird")
      .setExpirationTime("1m")
      .sign(key);
    const noExp = await new SignJWT(base)
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("MessageBird")
      .setJti("j")
      .sign(key);
    const otherIssuer = await new SignJWT(base)
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("Mallory")
      .setJti("j")
      .setExpirationTime("1m")
      .sign(key);
    for (const token of [noJti, noExp, otherIssuer]) expect(await verify(token)).toMatchObject({ ok: false });
  });

  test("garbage is refused without throwing", async () => {
    for (const token of ["", "a.b.c", "not a jwt", "eyJhbGciOiJub25lIn0.e30."]) {
      expect(await verify(token)).toMatchObject({ ok: false });
    }
  });

  type ReferenceCase = {
    name: string;
    url: string;
    secret?: string;
    payload?: string;
    timestamp: string;
    token: string;
    valid: boolean;
  };
  const reference = JSON.parse(
    readFileSync("node_modules/messagebird/lib/testdata/webhook-signature-jwt-reference.json", "utf8"),
  ) as ReferenceCase[];

  test.each(reference.map((c) => [c.name, c] as const))(
    "agrees with MessageBird's reference case: %s",
    async (_, c) => {
      const verdict = await verifySignatureJwt({
        token: c.token,
        url: c.url,
        body: new TextEncoder().encode(c.payload ?? ""),
        signingKey: c.secret ?? "",
        now: new Date(c.timestamp),
      });
      expect(verdict.ok).toBe(c.valid);
    },
  );
});

describe("Bird's MessageBird-Signature HMAC", () => {
  const sign = (timestamp: string, url = PUBLIC_URL, body = BODY, key = SIGNING_KEY) =>
    createHmac("sha256", key)
      .update(`${timestamp}\n${url}\n`)
      .update(createHash("sha256").update(body).digest())
      .digest("base64");
  const now = new Date();
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const check = (signature: string, overrides: Partial<Parameters<typeof verifyBirdSignature>[0]> = {}) =>
    verifyBirdSignature({
      signature,
      timestamp,
      url: PUBLIC_URL,
      body: BODY,
      signingKey: SIGNING_KEY,
      now,
      ...overrides,
    });

  test("a fresh signature over timestamp, URL and body is valid", () => {
    expect(check(sign(timestamp))).toMatchObject({ ok: true, nonce: { value: expect.stringMatching(/^bird:/) } });
  });

  test("a tampered body or URL, another key, or a stale timestamp is refused", () => {
    expect(check(sign(timestamp), { body: new TextEncoder().encode("{}") })).toMatchObject({ ok: false });
    expect(check(sign(timestamp), { url: "https://sms.example.com/other" })).toMatchObject({ ok: false });
    expect(check(sign(timestamp, PUBLIC_URL, BODY, "other-key"))).toMatchObject({ ok: false });
    const old = String(Number(timestamp) - 6 * 60);
    expect(check(sign(old), { timestamp: old })).toEqual({
      ok: false,
      reason: "invalid signature: stale or missing timestamp",
    });
    expect(check(sign(""), { timestamp: "" })).toMatchObject({ ok: false });
    expect(check("not base64 at all")).toMatchObject({ ok: false });
  });
});

describe("authenticating a request", () => {
  const config: WebhookAuthConfig = {
    secret: "test-webhook-secret-0123456789",
    signingKey: SIGNING_KEY,
    appUrl: new URL("https://sms.example.com"),
  };
  // Behind a proxy the app sees its internal address; the signature covers the public one.
  const internal = "http://10.0.0.7:3000/webhooks/messagebird?flow=inbound";

  test("the right ?secret= suffices", async () => {
    const url = new URL(`${internal}&secret=test-webhook-secret-0123456789`);
    expect(await authenticateWebhook({ url, headers: new Headers(), body: BODY }, config)).toEqual({ ok: true });
  });

  test("a wrong secret, or no credentials at all, is refused with a short reason", async () => {
    const wrong = new URL(`${internal}&secret=guess`);
    expect(await authenticateWebhook({ url: wrong, headers: new Headers(), body: BODY }, config)).toEqual({
      ok: false,
      reason: "wrong secret",
    });
    expect(await authenticateWebhook({ url: new URL(internal), headers: new Headers(), body: BODY }, config)).toEqual({
      ok: false,
      reason: "missing credentials",
    });
  });

  test("a valid signature without any secret is accepted, checked against APP_URL rather than the internal URL", async () => {
    const headers = new Headers({ "MessageBird-Signature-JWT": await signedJwt() });
    expect(await authenticateWebhook({ url: new URL(internal), headers, body: BODY }, config)).toMatchObject({
      ok: true,
      nonce: { value: expect.stringMatching(/^jwt:/), expiresAt: expect.any(Date) },
    });
  });

  test("signatures are ignored when no signing key is configured, and a secret is ignored when none is configured", async () => {
    const headers = new Headers({ "MessageBird-Signature-JWT": await signedJwt() });
    const secretOnly = { ...config, signingKey: undefined };
    expect(await authenticateWebhook({ url: new URL(internal), headers, body: BODY }, secretOnly)).toMatchObject({
      ok: false,
    });
    const keyOnly = { ...config, secret: undefined };
    const url = new URL(`${internal}&secret=test-webhook-secret-0123456789`);
    expect(await authenticateWebhook({ url, headers: new Headers(), body: BODY }, keyOnly)).toMatchObject({
      ok: false,
    });
  });
});
