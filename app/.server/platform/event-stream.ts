/**
 * A `text/event-stream` response. Not remix-utils' `eventStream`: it can write
 * neither comment lines nor the `retry:` field, and it cleans up only on the
 * request's abort signal, not when the reader cancels the body.
 */

export type SendEvent = (event: string, data: string) => void;

export type EventStreamOptions = {
  /** A comment line this often keeps proxies and load balancers from closing an idle stream. */
  heartbeatMs?: number;
  /** How long the browser waits before reconnecting after the stream drops. */
  retryMs?: number;
};

// Chunks queued for a client that stopped reading. Past this it is cut off:
// its browser reconnects and reloads, which beats buffering without bound.
const MAX_QUEUED_CHUNKS = 1_000;

/**
 * Opens the stream, then `subscribe`s it. Resolves once subscribed, so nothing
 * sent after that is lost; rejects (with the stream closed) when subscribing fails.
 * The unsubscribe function runs exactly once: on abort, on cancel, or on overflow.
 */
export async function eventStream(
  signal: AbortSignal,
  subscribe: (send: SendEvent) => Promise<() => void>,
  { heartbeatMs = 25_000, retryMs = 5_000 }: EventStreamOptions = {},
): Promise<Response> {
  const encoder = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  let unsubscribe: (() => void) | undefined;

  const body = new ReadableStream<Uint8Array>({
    start: (c) => void (controller = c),
    cancel: () => close(),
  });
  const write = (text: string) => {
    if (closed) return;
    if ((controller.desiredSize ?? 0) < -MAX_QUEUED_CHUNKS) return close();
    controller.enqueue(encoder.encode(text));
  };
  const heartbeat = setInterval(() => write(": heartbeat\n\n"), heartbeatMs);
  function close() {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    signal.removeEventListener("abort", close);
    unsubscribe?.();
    try {
      controller.close();
    } catch {
      // The reader cancelled: the stream is already closed.
    }
  }
  signal.addEventListener("abort", close);

  write(`retry: ${retryMs}\n\n`);
  try {
    const stop = await subscribe((event, data) =>
      write(`event: ${event}\ndata: ${data.replaceAll("\n", "\ndata: ")}\n\n`),
    );
    if (closed) stop();
    else unsubscribe = stop;
  } catch (error) {
    close();
    throw error;
  }
  if (signal.aborted) close();

  return new Response(body, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache",
      // nginx buffers responses by default, which would hold events back until the buffer fills.
      "X-Accel-Buffering": "no",
    },
  });
}
