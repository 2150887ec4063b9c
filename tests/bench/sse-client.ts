// Many /events streams from one process: plain node:http, one socket each, and
// just enough parsing to time `inbox` events.
import http from "node:http";

export type Stream = { close(): void };

/** Collects arrival times of one fan-out: resolves when `expected` streams have each heard one `inbox` event. */
export class FanOut {
  private arrivals: number[] = [];
  private started = 0;
  private expected = 0;
  private done: ((arrivals: number[]) => void) | undefined;

  start(expected: number): Promise<number[]> {
    this.arrivals = [];
    this.expected = expected;
    this.started = performance.now();
    return new Promise((resolve) => (this.done = resolve));
  }

  heard(): void {
    if (!this.done) return;
    this.arrivals.push(performance.now() - this.started);
    if (this.arrivals.length === this.expected) {
      this.done(this.arrivals);
      this.done = undefined;
    }
  }

  /** What arrived so far, for a round that timed out. */
  partial(): number[] {
    return this.arrivals;
  }
}

/** Opens one stream; resolves once the server sent its first bytes (it subscribes before it answers). */
export function openStream(baseUrl: string, cookie: string, fanOut: FanOut): Promise<Stream> {
  return new Promise((resolve, reject) => {
    // agent: false: one socket per stream, never pooled or capped by an agent's maxSockets.
    const request = http.get(
      `${baseUrl}/events`,
      { agent: false, headers: { cookie, accept: "text/event-stream" } },
      (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`/events answered ${response.statusCode}`));
          return;
        }
        response.setEncoding("utf8");
        let buffer = "";
        let opened = false;
        response.on("data", (chunk: string) => {
          if (!opened) {
            opened = true;
            resolve({ close: () => request.destroy() });
          }
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf("\n\n")) !== -1) {
            if (buffer.startsWith("event: inbox\n")) fanOut.heard();
            buffer = buffer.slice(end + 2);
          }
        });
        response.on("error", () => {});
      },
    );
    request.on("error", (error) => reject(error));
  });
}

/** Opens `count` streams, at most `inFlight` handshakes at a time (the listen backlog is finite). */
export async function openStreams(
  baseUrl: string,
  cookie: string,
  fanOut: FanOut,
  count: number,
  inFlight = 100,
): Promise<Stream[]> {
  const streams: Stream[] = [];
  let next = 0;
  async function worker() {
    while (next < count) {
      next++;
      streams.push(await openStream(baseUrl, cookie, fanOut));
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.min(inFlight, count) }, worker));
  } catch (error) {
    for (const stream of streams) stream.close();
    throw error;
  }
  return streams;
}
