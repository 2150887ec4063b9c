import http from "node:http";
import https from "node:https";
import { retryAfterMs } from "../sms/http-failure";
import { guardedLookup, RefusedAddress, urlRefusal, type AddressPolicy } from "./address-guard";

/**
 * One POST of an outgoing webhook, with node:http(s) rather than fetch: its `lookup` option lets
 * the guard check the addresses DNS gave and connect to exactly those. No redirect is followed
 * (a 3xx is an answer like any other), the whole exchange has a deadline, and no more of the
 * answer is read than the delivery log keeps.
 */

export const ATTEMPT_TIMEOUT_MS = 10_000;
/** Bytes of an answer read; the rest is dropped with the connection. */
const ANSWER_READ_BYTES = 4096;

export type Answer =
  | { kind: "answered"; statusCode: number; excerpt: string; retryAfterMs: number | null }
  | { kind: "no-answer"; error: string };

export function postJson(
  url: URL,
  headers: Record<string, string>,
  body: string,
  policy: AddressPolicy,
  timeoutMs = ATTEMPT_TIMEOUT_MS,
): Promise<Answer> {
  const refusal = urlRefusal(url, policy);
  if (refusal) return Promise.resolve({ kind: "no-answer", error: `Not sent: ${refusal}` });
  return new Promise((resolve) => {
    let settled = false;
    const settle = (answer: Answer) => {
      if (settled) return;
      settled = true;
      request.destroy();
      resolve(answer);
    };
    const client = url.protocol === "https:" ? https : http;
    const request = client.request(url, {
      method: "POST",
      headers: {
        ...headers,
        "content-type": "application/json",
        "content-length": String(Buffer.byteLength(body)),
        "user-agent": "Birdline-Webhooks",
      },
      lookup: guardedLookup(policy),
      // One connection per attempt: a pooled socket would skip the address check.
      agent: false,
      signal: AbortSignal.timeout(timeoutMs),
    });
    request.on("response", (response) => {
      const chunks: Buffer[] = [];
      let read = 0;
      const done = () =>
        settle({
          kind: "answered",
          statusCode: response.statusCode ?? 0,
          excerpt: Buffer.concat(chunks)
            .toString("utf8")
            .replace(/\uFFFD+$/, ""),
          retryAfterMs: retryAfterMs(headerOf(response.headers["retry-after"])),
        });
      response.on("data", (chunk: Buffer) => {
        chunks.push(chunk.subarray(0, ANSWER_READ_BYTES - read));
        read += chunk.length;
        if (read >= ANSWER_READ_BYTES) done();
      });
      response.on("end", done);
      response.on("error", done);
    });
    request.on("error", (error) => settle({ kind: "no-answer", error: describe(error, timeoutMs) }));
    request.end(body);
  });
}

const headerOf = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? null;

function describe(error: Error, timeoutMs: number): string {
  if (error instanceof RefusedAddress) return `Not sent: ${error.message}`;
  if (error.name === "AbortError" || error.name === "TimeoutError") return `No answer within ${timeoutMs / 1000} s`;
  const code = (error as NodeJS.ErrnoException).code;
  return code && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
}
