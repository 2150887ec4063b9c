import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export type Received = { headers: IncomingHttpHeaders; body: string };
/** A status, or a status with headers (`Retry-After`, `Location`). */
export type ReceiverAnswer = number | { status: number; headers: Record<string, string> };

/**
 * A webhook receiver on 127.0.0.1: records each POST and answers with the next status of
 * `answers` (200 once they run out).
 */
export async function startReceiver(answers: ReceiverAnswer[] = []) {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString("utf8") });
      const answer = answers.shift() ?? 200;
      const { status, headers } = typeof answer === "number" ? { status: answer, headers: {} } : answer;
      response
        .writeHead(status, { "content-type": "text/plain", ...headers })
        .end(status < 300 ? "thanks" : "upstream down");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    port,
    received,
    answers,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
