import { PassThrough } from "node:stream";

import type { AppLoadContext, EntryContext } from "react-router";
import { createReadableStreamFromReadable } from "@react-router/node";
import { ServerRouter } from "react-router";
import { isbot } from "isbot";
import type { RenderToPipeableStreamOptions } from "react-dom/server";
import { renderToPipeableStream } from "react-dom/server";
import { isConnectionLoss } from "~/.server/platform/db/connection-loss";
import { createEdgeListener as createEdge, type EdgeOptions } from "~/.server/platform/edge/listener";
import { contentSecurityPolicy, newNonce } from "~/.server/platform/edge/security-headers";
import { log } from "~/.server/platform/log";
import { webhookRoutes } from "~/.server/webhooks/handler";
import { simulatedBirdRoutes } from "~/.server/sms/simulated-bird";
import { NonceProvider } from "~/components/nonce";

// server.ts reaches the process-wide singletons through the build's entry
// module, so the server and the routes share one database pool.
export { database } from "~/.server/platform/db/client";
export { env } from "~/.server/platform/env";
export { startBackgroundWork } from "~/.server/background";
export { setInternalOrigin } from "~/.server/platform/internal-origin";
export { connectionCap } from "~/.server/platform/edge/connection-cap";
export { reportProviderProblem } from "~/.server/sms/provider-setup";

/** The edge with the providers' webhooks (and the simulator's Bird API) answered directly (see `webhookRoutes`). */
export const createEdgeListener = (options: Omit<EdgeOptions, "direct">) =>
  createEdge({ ...options, direct: { ...webhookRoutes, ...simulatedBirdRoutes } });

// Pages whose loaders failed because the database connection was lost: a
// restart or failover, over in moments, so they answer 503 (try again), not 500.
const databaseLost = new WeakSet<Request>();

/**
 * Every error React Router catches (loaders, actions, rendering), as one JSON
 * line like everything else we log; runs before the page showing it is rendered.
 */
export function handleError(error: unknown, { request }: { request: Request }) {
  // A client that went away mid-request is not a server fault.
  if (request.signal.aborted) return;
  if (isConnectionLoss(error)) databaseLost.add(request);
  log.error("request failed", { method: request.method, path: new URL(request.url).pathname, error });
}

export const streamTimeout = 5_000;

export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  routerContext: EntryContext,
  _loadContext: AppLoadContext,
) {
  // Only documents need a nonce, so it is made here, not per request. Under `react-router dev`
  // Vite injects scripts that carry none: no policy there.
  const nonce = import.meta.env.DEV ? undefined : newNonce();
  if (nonce) responseHeaders.set("Content-Security-Policy", contentSecurityPolicy(nonce));
  if (databaseLost.has(request)) {
    responseStatusCode = 503;
    responseHeaders.set("Retry-After", "5");
  }
  // https://httpwg.org/specs/rfc9110.html#HEAD
  if (request.method.toUpperCase() === "HEAD") {
    return new Response(null, {
      status: responseStatusCode,
      headers: responseHeaders,
    });
  }

  return new Promise((resolve, reject) => {
    let shellRendered = false;
    const userAgent = request.headers.get("user-agent");

    // Ensure requests from bots and SPA Mode renders wait for all content to load before responding
    // https://react.dev/reference/react-dom/server/renderToPipeableStream#waiting-for-all-content-to-load-for-crawlers-and-static-generation
    const readyOption: keyof RenderToPipeableStreamOptions =
      (userAgent && isbot(userAgent)) || routerContext.isSpaMode ? "onAllReady" : "onShellReady";

    // Abort the rendering stream after the `streamTimeout` so it has time to
    // flush down the rejected boundaries
    let timeoutId: ReturnType<typeof setTimeout> | undefined = setTimeout(() => abort(), streamTimeout + 1000);

    const { pipe, abort } = renderToPipeableStream(
      <NonceProvider value={nonce ?? ""}>
        <ServerRouter context={routerContext} url={request.url} nonce={nonce} />
      </NonceProvider>,
      {
        nonce,
        [readyOption]() {
          shellRendered = true;
          const body = new PassThrough({
            final(callback) {
              // Clear the timeout to prevent retaining the closure and memory leak
              clearTimeout(timeoutId);
              timeoutId = undefined;
              callback();
            },
          });
          const stream = createReadableStreamFromReadable(body);

          responseHeaders.set("Content-Type", "text/html; charset=utf-8");

          pipe(body);

          resolve(
            new Response(stream, {
              headers: responseHeaders,
              status: responseStatusCode,
            }),
          );
        },
        onShellError(error: unknown) {
          reject(error);
        },
        onError(error: unknown) {
          responseStatusCode = 500;
          // Log streaming rendering errors from inside the shell.  Don't log
          // errors encountered during initial shell rendering since they'll
          // reject and get logged in handleDocumentRequest.
          if (shellRendered) handleError(error, { request });
        },
      },
    );
  });
}
