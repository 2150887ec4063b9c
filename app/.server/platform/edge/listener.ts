import type { IncomingMessage, ServerResponse } from "node:http";
import { createRequestHandler, type ServerBuild } from "react-router";
import { env, isLoopbackAddress } from "../env";
import { log } from "../log";
import { problemOf, PROBLEM_CONTENT_TYPE } from "../problem";
import { bodyRuleFor, hasBody, hasEncoding, readBody } from "./body";
import { carriesNul, formBodyProblem } from "./form-body";
import { originOf, proxyMatcher, type Origin } from "./proxy";
import { directSinkOf, type EventSink } from "../event-stream";
import { requestUrl } from "./request-target";
import { baseSecurityHeaders } from "./security-headers";

type Next = () => void;

/** A request read whole at the edge, for a route answered without React Router. */
export type DirectRequest = { method: string; url: URL; headers: Headers; body: Uint8Array; clientIp: string };
/** A JSON answer; the edge adds `Cache-Control: no-store`. */
export type DirectRoute = (request: DirectRequest) => Promise<{ status: number; body: object }>;

export type EdgeOptions = {
  build: ServerBuild;
  /** Static files, tried first for GET and HEAD; calls `next` when it has nothing. */
  assets?: (req: IncomingMessage, res: ServerResponse, next: Next) => void;
  /**
   * JSON endpoints by exact path, answered here after the same checks and
   * body limits as everything else, but without building a Fetch request and
   * running React Router: MessageBird's webhooks arrive in bursts.
   */
  direct?: Readonly<Record<string, DirectRoute>>;
};

const EMPTY = new Uint8Array();
const JSON_HEADERS = { "Content-Type": "application/json", "Cache-Control": "no-store" };
// An event stream whose client stopped reading is cut off past this (its browser reconnects and reloads).
const MAX_UNREAD_EVENT_BYTES = 1 << 20;
// Fetch metadata a browser sends with every request: a form post from any other site says so even without Origin.
const FOREIGN_SITES = new Set(["same-site", "cross-site"]);

/**
 * Everything between the socket and React Router: which URL the browser used
 * (behind a trusted proxy), local mode's Host check, body limits and encodings,
 * the same-origin rule for form posts, security headers, and an answer for
 * every failure, so no request can take the process down or buffer without a bound.
 */
export function createEdgeListener({ build, assets, direct = {} }: EdgeOptions) {
  const handle = createRequestHandler(build);
  const isTrustedProxy = proxyMatcher(env.trustedProxies);
  const securityHeaders = baseSecurityHeaders({ hsts: env.mode === "deployed" && env.appUrl.protocol === "https:" });

  async function serve(req: IncomingMessage, res: ServerResponse) {
    for (const [name, value] of securityHeaders) res.setHeader(name, value);
    const method = req.method ?? "GET";
    const origin = originOf(req, isTrustedProxy);
    const url = requestUrl(req.url, origin.protocol, origin.host ?? "localhost");
    if (!url) return plain(res, 400, "Bad request: malformed Host or path.");
    // A page on another name that resolves to 127.0.0.1 (DNS rebinding) must not read /dev/phone's codes.
    if (env.mode === "local" && !isLoopbackName(url.hostname)) {
      return plain(
        res,
        421,
        `This Birdline runs in local mode and answers only on localhost, not ${url.hostname}. ` +
          "To serve it under another name, set APP_URL to its public URL (see README, Configuration).",
      );
    }

    const safe = method === "GET" || method === "HEAD";
    const announcesBody = hasBody(req);
    if (safe && assets && !announcesBody) {
      const handled = await new Promise<boolean>((resolve) => {
        res.once("finish", () => resolve(true));
        assets(req, res, () => resolve(false));
      });
      if (handled) return;
    }

    const rule = bodyRuleFor(url.pathname);
    // The REST API's clients read problem documents, people read plain text.
    const refuse = rule.encoding === "api" ? problemAnswer : plain;
    if (rule.encoding !== "any" && carriesNul(req.url!))
      return refuse(res, 400, "Text may not contain NUL characters.");
    let body: Buffer<ArrayBuffer> | undefined;
    if (announcesBody) {
      const read = await readBody(req, rule.limit);
      if (!read.ok) {
        if (read.reason === "aborted") return req.destroy();
        res.setHeader("Connection", "close");
        return refuse(res, 413, `Request body larger than ${rule.limit / 1024} KiB.`);
      }
      if (!safe) body = read.bytes;
    }
    // No same-origin rule for the API: it reads no cookies, so a page on another site has nothing to borrow.
    if (!safe && rule.encoding === "api" && body?.byteLength && !hasEncoding(rule, req.headers["content-type"])) {
      return problemAnswer(res, 415, "Request bodies are JSON: send Content-Type: application/json.");
    }
    if (!safe && (rule.encoding === "form" || rule.encoding === "json")) {
      const contentType = req.headers["content-type"];
      if (body?.byteLength && !hasEncoding(rule, contentType)) {
        return plain(
          res,
          415,
          rule.encoding === "json"
            ? "This endpoint takes application/json."
            : "Forms are sent as application/x-www-form-urlencoded or multipart/form-data.",
        );
      }
      const refusal = crossOriginRefusal(req, url, origin);
      if (refusal) {
        log.throttled(`cross-origin:${origin.clientIp}`, "warn", "refused a form post from another origin", refusal);
        return plain(res, 403, "Form post from another origin refused.");
      }
      const problem = body?.byteLength && rule.encoding === "form" ? await formBodyProblem(contentType!, body) : null;
      if (problem) return plain(res, 400, `Bad request: ${problem}`);
    }

    const route = Object.hasOwn(direct, url.pathname) ? direct[url.pathname] : undefined;
    if (route) {
      const answer = await route({
        method,
        url,
        headers: headersOf(req),
        body: body ?? EMPTY,
        clientIp: origin.clientIp,
      });
      res.writeHead(answer.status, JSON_HEADERS);
      res.end(method === "HEAD" ? undefined : JSON.stringify(answer.body));
      return;
    }

    const controller = new AbortController();
    res.once("close", () => controller.abort());
    const request = new Request(url, {
      method,
      headers: headersOf(req),
      body: body?.byteLength ? body : undefined,
      signal: controller.signal,
    });
    const response = await handle(request, { clientIp: origin.clientIp });
    await send(res, response, method);
  }

  function crossOriginRefusal(req: IncomingMessage, url: URL, origin: Origin) {
    const sent = req.headers.origin;
    const site = req.headers["sec-fetch-site"];
    const foreignSite = site !== undefined && FOREIGN_SITES.has(site);
    if ((sent === undefined || sent === url.origin) && !foreignSite) return null;
    const viaUntrustedProxy =
      !isTrustedProxy(req.socket.remoteAddress) && req.headers["x-forwarded-proto"] !== undefined;
    return {
      origin: sent,
      site,
      expected: url.origin,
      clientIp: origin.clientIp,
      hint: viaUntrustedProxy
        ? `the request came through a proxy at ${req.socket.remoteAddress} that TRUST_PROXY does not list`
        : sent === url.origin
          ? "the browser says the form was on another site (Sec-Fetch-Site)"
          : "the expected origin is the URL the browser used: APP_URL must be the public URL, and TRUST_PROXY must list the reverse proxy's address",
    };
  }

  return function edge(req: IncomingMessage, res: ServerResponse) {
    serve(req, res).catch((error: unknown) => {
      log.error("request failed", { method: req.method, path: req.url?.split("?")[0], error });
      if (!res.headersSent) plain(res, 500, "Internal server error.");
      else res.destroy();
    });
  };
}

function isLoopbackName(hostname: string): boolean {
  return isLoopbackAddress(hostname) || hostname.endsWith(".localhost");
}

function headersOf(req: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

function problemAnswer(res: ServerResponse, status: number, detail: string) {
  res.writeHead(status, { "Content-Type": PROBLEM_CONTENT_TYPE, "Cache-Control": "no-store" });
  res.end(JSON.stringify(problemOf(status, detail)));
}

function plain(res: ServerResponse, status: number, message: string) {
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" });
  res.end(`${message}\n`);
}

/** Writes a Fetch response, streaming with backpressure; a client that leaves cancels the stream. */
async function send(res: ServerResponse, response: Response, method: string) {
  res.statusCode = response.status;
  // Pages and data are someone's inbox, or carry a per-response nonce: never kept by a browser or shared cache
  // unless a route says otherwise. Static files never get here.
  res.setHeader("Cache-Control", "private, no-store");
  const cookies = response.headers.getSetCookie();
  for (const [name, value] of response.headers) if (name !== "set-cookie") res.setHeader(name, value);
  if (cookies.length > 0) res.setHeader("Set-Cookie", cookies);
  if (!response.body || method === "HEAD") {
    await response.body?.cancel();
    res.end();
    return;
  }
  const attach = directSinkOf(response);
  if (attach) {
    res.flushHeaders();
    const close = attach(eventSinkOf(res));
    res.once("close", close);
    return;
  }
  const reader = response.body.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  res.once("close", cancel);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!res.write(value)) await drained(res);
      if (res.destroyed) return;
    }
    res.end();
  } finally {
    res.off("close", cancel);
  }
}

/**
 * Where an event stream's frames go. On HTTP/1.1 each frame is written to the
 * socket already framed as a chunk, bytes shared by every stream: one
 * immediate write each, where `res.write` would cork the socket, frame the
 * chunk again per stream, and leave all of a fan-out's writes until the pass
 * over the streams is over. `res.end()` still writes the last chunk.
 */
function eventSinkOf(res: ServerResponse): EventSink {
  const socket = res.chunkedEncoding ? res.socket : null;
  return {
    write: (frame) =>
      (socket ? socket.write(asChunk(frame)) : res.write(frame)) ||
      (socket ?? res).writableLength <= MAX_UNREAD_EVENT_BYTES,
    end: () => res.end(),
  };
}

const CRLF = Buffer.from("\r\n");
const chunks = new WeakMap<Uint8Array, Buffer>();
function asChunk(frame: Uint8Array): Buffer {
  let chunk = chunks.get(frame);
  if (!chunk)
    chunks.set(frame, (chunk = Buffer.concat([Buffer.from(`${frame.byteLength.toString(16)}\r\n`), frame, CRLF])));
  return chunk;
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done).off("close", done);
      resolve();
    };
    res.on("drain", done).on("close", done);
  });
}
