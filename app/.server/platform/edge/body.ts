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

/** What a route accepts: HTML forms, the REST API's JSON, or whatever a provider sends (its handler decides). */
export type BodyRule = { limit: number; encoding: "form" | "json" | "any" };

const PROVIDER_PREFIXES = [WEBHOOK_PATHS.inbound, WEBHOOK_PATHS.bird, SIMULATED_BIRD_API];

/**
 * Webhooks (and the simulator's stand-in for Bird's API) take any encoding a
 * provider uses (their handlers answer 415); the REST API takes JSON only;
 * everything else is an HTML form.
 */
export function bodyRuleFor(pathname: string): BodyRule {
  if (PROVIDER_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`)))
    return { limit: WEBHOOK_BODY_LIMIT, encoding: "any" };
  if (pathname.startsWith(API_PREFIX)) return { limit: API_BODY_LIMIT, encoding: "json" };
  return { limit: FORM_BODY_LIMIT, encoding: "form" };
}

const mediaType = (contentType: string | undefined) => contentType?.split(";")[0]?.trim().toLowerCase() ?? "";

export function isFormEncoding(contentType: string | undefined): boolean {
  return FORM_TYPES.has(mediaType(contentType));
}

/** `application/json`, or a JSON-based type such as `application/merge-patch+json`. */
export function isJsonEncoding(contentType: string | undefined): boolean {
  const type = mediaType(contentType);
  return type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
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
