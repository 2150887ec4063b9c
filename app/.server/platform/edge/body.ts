import type { IncomingMessage } from "node:http";
import { SIMULATED_BIRD_API, WEBHOOK_PATHS } from "~/lib/webhook-paths";
/** MessageBird's webhooks are a few hundred bytes; 64 KiB leaves room for 1,600+ character texts in any encoding. */
export const WEBHOOK_BODY_LIMIT = 64 * 1024;
/** Our forms carry at most a 1,600-character reply (about 20 KB urlencoded, emoji and all). */
export const FORM_BODY_LIMIT = 32 * 1024;

const FORM_TYPES = new Set(["application/x-www-form-urlencoded", "multipart/form-data"]);

export type BodyRule = { limit: number; formOnly: boolean };

const PROVIDER_PREFIXES = [WEBHOOK_PATHS.inbound, WEBHOOK_PATHS.bird, SIMULATED_BIRD_API];

/**
 * Webhooks (and the simulator's stand-in for Bird's API) take any encoding a
 * provider uses (their handlers answer 415); everything else is an HTML form.
 */
export function bodyRuleFor(pathname: string): BodyRule {
  return PROVIDER_PREFIXES.some((prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`))
    ? { limit: WEBHOOK_BODY_LIMIT, formOnly: false }
    : { limit: FORM_BODY_LIMIT, formOnly: true };
}

export function isFormEncoding(contentType: string | undefined): boolean {
  return FORM_TYPES.has(contentType?.split(";")[0]?.trim().toLowerCase() ?? "");
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
