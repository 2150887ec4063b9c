import http from "node:http";
import type { AddressInfo } from "node:net";

/** How the fake answers the next send. */
export type FakeAnswer =
  | "accept"
  /** Accepts the SMS, then drops the connection before answering: the sender cannot know it went out. */
  | "accept-then-drop"
  /** Accepts the SMS and answers two seconds later: a send still under way when the sender is stopped. */
  | "accept-slowly"
  | {
      status: number;
      errors?: { code: number; description: string; parameter?: string | null }[];
      retryAfter?: number;
    };

type Stored = { id: string; reference: string | null; createdDatetime: string; recipient: string; status: string };

export type FakeMessageBirdOptions = {
  /** How long an accepted send waits for its answer, as a real provider's round trip would (the bench). */
  sendLatencyMs?: number;
  /** Called the moment a send's body has arrived, before it is answered: when the provider "received" it. */
  onPost?: (reference: string | null) => void;
};

/**
 * MessageBird's REST API as a real HTTP server on loopback, for the built app
 * (MESSAGEBIRD_API_URL) to call across processes: sends, the recent-messages
 * list (newest first, paged by `offset`/`limit`) and the message lookup. It
 * can be taken down (connections refused) and brought back on the same port.
 */
export async function startFakeMessageBird({ sendLatencyMs = 0, onPost }: FakeMessageBirdOptions = {}) {
  const posts: { reference: string | null; at: number }[] = [];
  const stored: Stored[] = [];
  const answers: FakeAnswer[] = [];
  let server: http.Server | undefined;
  let port = 0;

  const handler = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://fake");
      const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        response.writeHead(status, { "content-type": "application/json", ...headers });
        response.end(JSON.stringify(body));
      };
      if (request.method === "POST" && url.pathname === "/messages") {
        const body = JSON.parse(Buffer.concat(chunks).toString() || "{}") as Record<string, unknown>;
        const reference = typeof body.reference === "string" ? body.reference : null;
        posts.push({ reference, at: Date.now() });
        onPost?.(reference);
        const answer = answers.shift() ?? "accept";
        if (typeof answer === "object") {
          const headers: Record<string, string> = answer.retryAfter ? { "retry-after": String(answer.retryAfter) } : {};
          return json(answer.status, { errors: answer.errors ?? [] }, headers);
        }
        const message: Stored = {
          id: `fake-${posts.length}-${Math.random().toString(16).slice(2, 10)}`,
          reference,
          createdDatetime: new Date().toISOString(),
          recipient: String((body.recipients as string[])[0]),
          status: "sent",
        };
        stored.unshift(message);
        if (answer === "accept-then-drop") return request.socket.destroy();
        const latency = answer === "accept-slowly" ? 2_000 : sendLatencyMs;
        if (latency) return void setTimeout(() => json(201, view(message)), latency);
        return json(201, view(message));
      }
      // The key check the app makes at boot.
      if (request.method === "GET" && url.pathname === "/balance") return json(200, { amount: 10, type: "euros" });
      if (request.method === "GET" && url.pathname === "/messages") {
        const offset = Number(url.searchParams.get("offset") ?? 0);
        const limit = Number(url.searchParams.get("limit") ?? 20);
        return json(200, {
          offset,
          limit,
          totalCount: stored.length,
          items: stored.slice(offset, offset + limit).map(view),
        });
      }
      const found =
        /^\/messages\/([^/]+)$/.exec(url.pathname) && stored.find((m) => `/messages/${m.id}` === url.pathname);
      if (request.method === "GET" && found) return json(200, view(found));
      json(404, { errors: [{ code: 20, description: "not found" }] });
    });
  };

  const view = (message: Stored) => ({
    id: message.id,
    direction: "mt",
    reference: message.reference,
    createdDatetime: message.createdDatetime,
    recipients: { items: [{ recipient: Number(message.recipient.replace("+", "")), status: message.status }] },
  });

  async function up() {
    server = http.createServer(handler);
    await new Promise<void>((resolve) => server!.listen(port, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  }
  await up();

  return {
    url: () => `http://127.0.0.1:${port}`,
    /** Every send request, oldest first. */
    posts,
    /** What the provider holds, newest first. */
    stored,
    /** Sends per reference: 1 for each message sent once. */
    postsFor: (reference: string) => posts.filter((post) => post.reference === reference).length,
    answerNext: (...next: FakeAnswer[]) => answers.push(...next),
    /** An outage: the port refuses connections. */
    async down() {
      const closing = server!;
      server = undefined;
      closing.closeAllConnections();
      await new Promise((resolve) => closing.close(resolve));
    },
    up,
    stop: async () => {
      if (server) {
        server.closeAllConnections();
        await new Promise((resolve) => server!.close(resolve));
      }
    },
  };
}
