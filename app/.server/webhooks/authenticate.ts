import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { errors, jwtVerify } from "jose";
import type { Nonce } from "./nonces";

/**
 * The three ways MessageBird can prove a webhook is theirs. Config comes in as
 * arguments: the route passes `env`, tests pass whatever they need. Nothing
 * here touches the database: a valid signature yields its nonce, which is
 * recorded in the same transaction as what the webhook carried (nonces.ts).
 */

export type WebhookAuthConfig = {
  secret?: string;
  signingKey?: string;
  /** Where MessageBird reaches us (APP_URL). Signatures cover the public URL, never the internal one behind a proxy. */
  appUrl: URL;
};

export type WebhookCredentials = { url: URL; headers: Headers; body: Uint8Array; now?: Date };

export type AuthResult = { ok: true; nonce?: Nonce } | { ok: false; reason: string };

type Verdict = { ok: true; nonce: Nonce } | { ok: false; reason: string };

export const SIGNATURE_JWT_HEADER = "MessageBird-Signature-JWT";
export const BIRD_SIGNATURE_HEADER = "MessageBird-Signature";
export const BIRD_TIMESTAMP_HEADER = "MessageBird-Request-Timestamp";

const CLOCK_TOLERANCE_S = 5;
const BIRD_MAX_AGE_MS = 5 * 60_000;

const sha256 = (data: string | Uint8Array) => createHash("sha256").update(data).digest();

/**
 * Constant time whatever the lengths: both sides are hashed to 32 bytes first,
 * so neither a wrong byte nor a wrong length shows in the timing.
 */
export function secretMatches(given: string, expected: string): boolean {
  return timingSafeEqual(sha256(given), sha256(expected));
}

export function publicUrlOf(url: URL, appUrl: URL): string {
  return `${appUrl.origin}${url.pathname}${url.search}`;
}

/** MessageBird-Signature-JWT, checked exactly as the SDK's `verify` and its reference cases require. */
export async function verifySignatureJwt(input: {
  token: string;
  url: string;
  body: Uint8Array;
  signingKey: string;
  now?: Date;
}): Promise<Verdict> {
  let claims: Record<string, unknown>;
  try {
    ({ payload: claims } = await jwtVerify(input.token, new TextEncoder().encode(input.signingKey), {
      issuer: "MessageBird",
      algorithms: ["HS256", "HS384", "HS512"],
      clockTolerance: CLOCK_TOLERANCE_S,
      currentDate: input.now,
      // Without an expiry a captured request would stay valid once its jti is purged.
      requiredClaims: ["jti", "exp"],
    }));
  } catch (error) {
    return { ok: false, reason: `invalid signature: ${jwtProblem(error)}` };
  }
  const { jti, exp, url_hash: urlHash, payload_hash: payloadHash } = claims;
  if (typeof jti !== "string" || jti.length === 0 || jti.length > 200)
    return { ok: false, reason: "invalid signature: bad jti" };
  if (typeof urlHash !== "string" || !hexEquals(urlHash, sha256(input.url))) {
    return { ok: false, reason: "invalid signature: url_hash does not match the public URL (check APP_URL)" };
  }
  if (
    payloadHash === undefined
      ? input.body.byteLength > 0
      : typeof payloadHash !== "string" || !hexEquals(payloadHash, sha256(input.body))
  ) {
    return { ok: false, reason: "invalid signature: payload_hash does not match the body" };
  }
  return { ok: true, nonce: { value: `jwt:${jti}`, expiresAt: new Date((Number(exp) + CLOCK_TOLERANCE_S) * 1000) } };
}

function jwtProblem(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "expired";
  if (error instanceof errors.JWTClaimValidationFailed) return `claim ${error.claim} ${error.reason}`;
  if (error instanceof errors.JOSEAlgNotAllowed) return "algorithm not allowed";
  if (error instanceof errors.JWSSignatureVerificationFailed) return "signature mismatch";
  return "malformed token";
}

function hexEquals(hex: string, digest: Buffer): boolean {
  const claimed = Buffer.from(hex, "hex");
  return claimed.length === digest.length && timingSafeEqual(claimed, digest);
}

/**
 * Bird's form: base64 HMAC-SHA256(key, timestamp "\n" URL "\n" raw SHA-256 of
 * the body), as in docs.bird.com "Verifying a webhook". The signature itself
 * is the nonce: the same request cannot be accepted twice.
 */
export function verifyBirdSignature(input: {
  signature: string;
  timestamp: string;
  url: string;
  body: Uint8Array;
  signingKey: string;
  now?: Date;
}): Verdict {
  const sentAt = /^\d{1,12}$/.test(input.timestamp) ? Number(input.timestamp) * 1000 : Number.NaN;
  const now = (input.now ?? new Date()).getTime();
  if (!(Math.abs(now - sentAt) <= BIRD_MAX_AGE_MS))
    return { ok: false, reason: "invalid signature: stale or missing timestamp" };
  const expected = createHmac("sha256", input.signingKey)
    .update(`${input.timestamp}\n${input.url}\n`)
    .update(sha256(input.body))
    .digest();
  const given = Buffer.from(input.signature, "base64");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: "invalid signature: HMAC mismatch" };
  return {
    ok: true,
    nonce: { value: `bird:${expected.toString("base64")}`, expiresAt: new Date(sentAt + BIRD_MAX_AGE_MS) },
  };
}

/** Accepts when any configured method passes; the first failure explains a refusal. */
export async function authenticateWebhook(request: WebhookCredentials, config: WebhookAuthConfig): Promise<AuthResult> {
  const failures: string[] = [];
  const secret = request.url.searchParams.get("secret");
  if (config.secret && secret !== null) {
    if (secretMatches(secret, config.secret)) return { ok: true };
    failures.push("wrong secret");
  }
  if (config.signingKey) {
    const verdict = await verifySignature(request, config.appUrl, config.signingKey);
    if (verdict?.ok) return { ok: true, nonce: verdict.nonce };
    if (verdict) failures.push(verdict.reason);
  }
  return { ok: false, reason: failures[0] ?? "missing credentials" };
}

function verifySignature(
  request: WebhookCredentials,
  appUrl: URL,
  signingKey: string,
): Promise<Verdict> | Verdict | undefined {
  const url = publicUrlOf(request.url, appUrl);
  const { body, now, headers } = request;
  const token = headers.get(SIGNATURE_JWT_HEADER);
  if (token !== null) return verifySignatureJwt({ token, url, body, signingKey, now });
  const signature = headers.get(BIRD_SIGNATURE_HEADER);
  if (signature !== null) {
    return verifyBirdSignature({
      signature,
      timestamp: headers.get(BIRD_TIMESTAMP_HEADER) ?? "",
      url,
      body,
      signingKey,
      now,
    });
  }
  return undefined;
}
