import { randomBytes } from "node:crypto";

/** Headers every response carries, pages, data and files alike. */
export function baseSecurityHeaders({ hsts }: { hsts: boolean }): [string, string][] {
  return [
    ["X-Content-Type-Options", "nosniff"],
    ["Referrer-Policy", "same-origin"],
    ["X-Frame-Options", "DENY"],
    // Only when the public URL is https: on plain http a browser ignores it, and on localhost it would stick.
    ...(hsts ? [["Strict-Transport-Security", "max-age=31536000; includeSubDomains"] as [string, string]] : []),
  ];
}

export const newNonce = () => randomBytes(16).toString("base64");

/**
 * For HTML documents: scripts only from us or with this response's nonce
 * (React Router's inline hydration scripts carry it), nothing may frame us,
 * forms post only to us, and the service worker and manifest come from us.
 */
export function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    // Tailwind ships a stylesheet, but React may set style attributes.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    // The service worker (/sw.js) and the web app manifest: ours only, named so a stricter default-src cannot drop them.
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}
