import type { IncomingMessage } from "node:http";
import { SIMULATED_BIRD_API, WEBHOOK_PATHS } from "~/lib/webhook-paths";
/** MessageBird's webhooks are a few hundred bytes; 64 KiB leaves room for 1,600+ character texts in any encoding. */
export const WEBHOOK_BODY_LIMIT = 64 * 1024;
/** Our forms carry at most a 1,600-character reply (about 20 KB urlencoded, emoji and all). */
export const FORM_BODY_LIMIT = 32 * 1024;
/** The REST API's largest request is a 1,600-character SMS: JSON escapes (`\\ud83d…`) keep it under 20 KB too. */
export const API_BODY_LIMIT = 32 * 1024;
/** Where the REST API lives: JSON in and out, bearer tokens, no cookies. */
export const API_PREFIX = "/api/";

const FORM_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data"]);

/**
 * What a route's body may be: `form` and `json` come from our own pages (same origin, no NUL
 * characters); `api` is the REST API's JSON from any client (bearer tokens, never cookies, so no
 * same-origin rule); `any` is a provider's, in whatever encoding it uses (its handler answers 415).
 */
export type BodyRule = { limit: number; encoding: "form" | "json" | "api" | "any" };

const PROVIDER_PREFIXES = [WEBHOOK_PATHS.inbound, WEBHOOK_PATHS.bird, SIMULATED_BIRD_API];

/** The pages' JSON endpoints: a browser API hands them an object, not a form (a push subscription). */
const PAGE_JSON_PATHS = new Set(["/push/subscriptions"]);

/** A push subscription is an endpoint URL and two keys: well under 4 KiB. */
const PAGE_JSON_LIMIT = 4 * 1024;

/** Providers' paths take anything, the REST API JSON, our pages' few JSON endpoints JSON, the rest forms. */
export function bodyRuleFor(pathname: string): BodyRule {
  if (PROVIDER_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`)))
    return { limit: WEBHOOK_BODY_LIMIT, encoding: "any" };
  if (pathname.startsWith(API_PREFIX)) return { limit: API_BODY_LIMIT, encoding: "api" };
  if (PAGE_JSON_PATHS.has(pathname)) return { limit: PAGE_JSON_LIMIT, encoding: "json" };
  return { limit: FORM_BODY_LIMIT, encoding: "form" };
}

const mediaType = (contentType: string | undefined) => contentType?.split(";")[0]?.trim().toLowerCase() ?? "";

/** Whether a body arrives in the encoding its route takes. */
export function hasEncoding(rule: BodyRule, contentType: string | undefined): boolean {
  if (rule.encoding === "any") return true;
  const type = mediaType(contentType);
  // A JSON-based type such as application/merge-patch+json is JSON to a client of the API.
  if (rule.encoding === "api") return type === "application/json" || /^application\/[\w.-]+\+json$/.test(type);
  return rule.encoding === "json" ? type === "application/json" : FORM_TYPES.has(type);
}

export type ReadBody =
  { ok: true; bytes: Buffer<ArrayBuffer> } | { ok: false; reason: "too large" } | { ok: false; reason: "aborted" };

/**
 * The whole body, or a refusal as soon as it is known to be too large: from
 * Content-Length before reading a byte, or while counting a chunked body. Read
 * here, before anything else sees it, so no later stage buffers without a bound.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<ReadBody> {
  if (Number(req.headers["content-length"] ?? 0) > limit) return Promise.resolve({ ok: false, reason: "too large" });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: ReadBody) => {
      req.off("data", onData).off("end", onEnd).off("error", onAborted).off("aborted", onAborted);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > limit) {
        req.pause();
        done({ ok: false, reason: "too large" });
      } else chunks.push(chunk);
    };
    const onEnd = () => done({ ok: true, bytes: Buffer.concat(chunks, size) });
    const onAborted = () => done({ ok: false, reason: "aborted" });
    req.on("data", onData).on("end", onEnd).on("error", onAborted).on("aborted", onAborted);
  });
}

/** Whether the client announced a body at all (a POST from a form always does; a GET normally does not). */
export function hasBody(req: IncomingMessage): boolean {
  return Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
}
