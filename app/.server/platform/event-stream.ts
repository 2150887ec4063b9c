/**
 * A `text/event-stream` response. Not remix-utils' `eventStream`: it can write
 * neither comment lines nor the `retry:` field, and it cleans up only on the
 * request's abort signal, not when the reader cancels the body.
 */

/** Queues one encoded event (see encodeEvent) on this stream. */
export type SendEvent = (frame: Uint8Array) => void;

const encoder = new TextEncoder();
const HEARTBEAT = encoder.encode(": heartbeat\n\n");

/**
 * One event in the wire format. Encode it once and send the same bytes to
 * every stream it goes to: a fan-out to a thousand streams then costs a
 * thousand writes, not a thousand encodings too.
 */
export const encodeEvent = (event: string, data: string): Uint8Array =>
  encoder.encode(`event: ${event}\ndata: ${data.replaceAll("\n", "\ndata: ")}\n\n`);

export type EventStreamOptions = {
  /** A comment line this often keeps proxies and load balancers from closing an idle stream. */
  heartbeatMs?: number;
  /** How long the browser waits before reconnecting after the stream drops. */
  retryMs?: number;
  /**
   * Asked at every heartbeat: the stream closes when it answers false (its
   * viewer signed out since it opened). An error keeps the stream until the
   * next beat: closing every stream while the database is down would only
   * bring their reconnects, and an error answer ends an EventSource for good.
   */
  stillAllowed?: () => Promise<boolean>;
};

/** Where a stream's frames go: the web body, or a server's socket (see `directSinkOf`). */
export type EventSink = {
  /** False once the client has stopped reading for too long: the stream is then closed. */
  write(frame: Uint8Array): boolean;
  end(): void;
};

// Chunks queued for a client that stopped reading. Past this it is cut off:
// its browser reconnects and reloads, which beats buffering without bound.
const MAX_QUEUED_CHUNKS = 1_000;

// A Node server can hand a stream its response and skip the web stream in
// between: a fan-out to a thousand streams is then a thousand socket writes,
// without a thousand reads, promises and microtasks around them.
const directSinks = new WeakMap<Response, (sink: EventSink) => () => void>();

/**
 * For a response from `eventStream`: attaches the server's own sink instead of
 * reading the body. Returns what to call when the connection closes. The
 * request's abort signal is no substitute: the router hands the loader a copy
 * of the Request, whose signal follows the original's only through a weak
 * reference, so after a garbage collection it never fires and the stream
 * stayed subscribed for good.
 */
export const directSinkOf = (response: Response) => directSinks.get(response);

/**
 * Opens the stream, then `subscribe`s it. Resolves once subscribed, so nothing
 * sent after that is lost; rejects (with the stream closed) when subscribing fails.
 * The unsubscribe function runs exactly once: on abort, on cancel, or on overflow.
 */
export async function eventStream(
  signal: AbortSignal,
  subscribe: (send: SendEvent) => Promise<() => void>,
  { heartbeatMs = 25_000, retryMs = 5_000, stillAllowed }: EventStreamOptions = {},
): Promise<Response> {
  let sink: EventSink | undefined;
  // What was sent before the body was first read or a direct sink attached.
  const early: Uint8Array[] = [];
  let closed = false;
  let unsubscribe: (() => void) | undefined;

  const write = (frame: Uint8Array) => {
    if (closed) return;
    if (sink ? !sink.write(frame) : early.push(frame) > MAX_QUEUED_CHUNKS) close();
  };
  const attach = (to: EventSink) => {
    if (sink) return close;
    sink = to;
    for (const frame of early.splice(0)) write(frame);
    if (closed) to.end();
    return close;
  };
  // highWaterMark 0: nothing is pulled until someone reads, so a direct sink can still take over.
  const body = new ReadableStream<Uint8Array>(
    {
      pull: (controller) =>
        void attach({
          write(frame) {
            if ((controller.desiredSize ?? 0) < -MAX_QUEUED_CHUNKS) return false;
            controller.enqueue(frame);
            return true;
          },
          end() {
            try {
              controller.close();
            } catch {
              // The reader cancelled: the stream is already closed.
            }
          },
        }),
      cancel: () => close(),
    },
    { highWaterMark: 0 },
  );
  const heartbeat = setInterval(() => {
    write(HEARTBEAT);
    stillAllowed?.().then(
      (allowed) => {
        if (!allowed) close();
      },
      () => {},
    );
  }, heartbeatMs);
  function close() {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    signal.removeEventListener("abort", close);
    unsubscribe?.();
    sink?.end();
  }
  signal.addEventListener("abort", close);

  write(encoder.encode(`retry: ${retryMs}\n\n`));
  try {
    const stop = await subscribe(write);
    if (closed) stop();
    else unsubscribe = stop;
  } catch (error) {
    close();
    throw error;
  }
  if (signal.aborted) close();

  const response = new Response(body, {
    headers: {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache",
      // nginx buffers responses by default, which would hold events back until the buffer fills.
      "X-Accel-Buffering": "no",
    },
  });
  directSinks.set(response, attach);
  return response;
}
