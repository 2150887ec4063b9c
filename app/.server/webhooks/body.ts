import { WEBHOOK_BODY_LIMIT } from "../platform/edge/body";

export type Body = { ok: true; bytes: Uint8Array } | { ok: false; reason: "too large" | "unreadable" };

/**
 * The raw body (signatures cover its exact bytes), refused as soon as it is
 * known to be too large: from Content-Length before reading anything, or while
 * streaming when the header is missing or lies.
 */
// The edge has refused anything larger before this runs; reading stays bounded on its own all the same.
export async function readLimitedBody(request: Request, limit = WEBHOOK_BODY_LIMIT): Promise<Body> {
  if (Number(request.headers.get("content-length")) > limit) return { ok: false, reason: "too large" };
  if (!request.body) return { ok: true, bytes: new Uint8Array() };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        return { ok: false, reason: "too large" };
      }
      chunks.push(value);
    }
  } catch {
    return { ok: false, reason: "unreadable" };
  }
  return { ok: true, bytes: Buffer.concat(chunks) };
}
