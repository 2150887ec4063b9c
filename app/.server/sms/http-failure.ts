/**
 * What a provider call's failure says about the SMS, for both provider APIs:
 * whether the request can have reached the provider, and how long it asked us
 * to wait.
 */

/** `Retry-After` in ms, as seconds or an HTTP date (RFC 9110 §10.2.3); null when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export const isTimeout = (error: unknown) =>
  error instanceof DOMException && (error.name === "TimeoutError" || error.name === "AbortError");

// Refused, unresolved, unroutable or an untrusted certificate: the request never left. A timeout or a reset may
// come after the provider read it.
const NEVER_SENT = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "CERT_HAS_EXPIRED",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** True when fetch failed before the request could reach the provider, so nothing went out. */
export function neverSent(error: unknown): boolean {
  if (isTimeout(error)) return false;
  const code = (error as { cause?: { code?: string } }).cause?.code;
  return code !== undefined && NEVER_SENT.has(code);
}
