// Many /events streams from one process: one socket each, and just enough
// parsing to time `inbox` events.
import net from "node:net";

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

const INBOX_EVENT = Buffer.from("event: inbox\n");
// Every socket reads into this one buffer: each read is handled before the next one lands.
const readBuffer = Buffer.alloc(64 * 1024);

/**
 * Opens one stream; resolves once the server answered 200 (it subscribes
 * before it answers). A plain socket that only counts `inbox` events in the
 * bytes it reads: a thousand streams in one process stand in for a thousand
 * browsers on their own machines, so the client's share of the two cores must
 * stay far below the server's, or the bench times the client.
 */
export function openStream(baseUrl: string, cookie: string, fanOut: FanOut): Promise<Stream> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let head = "";
    let answered = false;
    // The end of the previous read, for an event line split across two reads.
    let carry = Buffer.alloc(0);
    const socket = net.connect({
      host: url.hostname,
      port: Number(url.port),
      onread: {
        buffer: readBuffer,
        callback(length) {
          let bytes = readBuffer.subarray(0, length);
          if (!answered) {
            head += bytes.toString("latin1");
            const end = head.indexOf("\r\n\r\n");
            if (end === -1) return true;
            answered = true;
            if (!head.startsWith("HTTP/1.1 200 ")) {
              socket.destroy();
              reject(new Error(`/events answered ${head.slice(0, head.indexOf("\r\n"))}`));
              return false;
            }
            resolve({ close: () => socket.destroy() });
            bytes = Buffer.from(head.slice(end + 4), "latin1");
          }
          const text = carry.length > 0 ? Buffer.concat([carry, bytes]) : bytes;
          for (let at = text.indexOf(INBOX_EVENT); at !== -1; at = text.indexOf(INBOX_EVENT, at + 1)) fanOut.heard();
          carry = Buffer.from(text.subarray(Math.max(0, text.length - INBOX_EVENT.length + 1)));
          return true;
        },
      },
    });
    socket.on("error", (error) => (answered ? undefined : reject(error)));
    socket.write(`GET /events HTTP/1.1\r\nHost: ${url.host}\r\nCookie: ${cookie}\r\nAccept: text/event-stream\r\n\r\n`);
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
