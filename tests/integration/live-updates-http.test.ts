import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { memoryAfterGc, memoryProbeEnv } from "../bench/processes";
import { startApp, stopApp, type AppProcess } from "../support/app-process";
import { createUser } from "../support/factories";

const STREAMS = 50;

/** The built server, as browsers reach it: its own edge writes each stream's events to the socket. */
describe("live-update streams on the running server", () => {
  let app: AppProcess;
  // The bench's memory probe: it lets the test force a full garbage collection in the app.
  const probeDir = mkdtempSync(path.join(os.tmpdir(), "birdline-probe-"));
  const probeFile = path.join(probeDir, "memory.json");
  beforeAll(async () => {
    app = await startApp(memoryProbeEnv(probeFile));
  });
  afterAll(async () => {
    await stopApp(app);
    rmSync(probeDir, { recursive: true, force: true });
  });

  const openStreams = async () =>
    (await fetch(`${app.url}/healthz`).then((response) => response.json())) as { streams: number };

  /** One stream over its own socket; resolves once the server answered (it subscribes first). */
  const openStream = (cookie: string) =>
    new Promise<http.ClientRequest>((resolve, reject) => {
      const request = http.get(`${app.url}/events`, { agent: false, headers: { cookie } }, (response) => {
        expect(response.statusCode).toBe(200);
        response.once("data", () => resolve(request));
        response.on("error", () => {});
      });
      request.on("error", reject);
    });

  test("streams whose clients went away are freed, also after a garbage collection", async () => {
    const agent = await createUser({ role: "agent" });
    const before = (await openStreams()).streams;
    const requests = await Promise.all(Array.from({ length: STREAMS }, () => openStream(agent.cookie)));
    expect((await openStreams()).streams).toBe(before + STREAMS);
    // A Request copied by the router follows the original's abort signal only weakly: once collected it never
    // fires, and a stream that waited for it stayed subscribed forever.
    await memoryAfterGc(app.process.pid!, probeFile);

    for (const request of requests) request.destroy();
    await vi.waitFor(async () => expect((await openStreams()).streams).toBe(before), { timeout: 5_000 });
  });

  /** Raw HTTP, so the test sees the framing itself: HTTP/1.1 gets chunks, HTTP/1.0 the bytes as they are. */
  function rawStream(version: "1.0" | "1.1", cookie: string) {
    const socket = net.connect(Number(new URL(app.url).port), "127.0.0.1");
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => (received += chunk));
    socket.write(`GET /events HTTP/${version}\r\nHost: ${new URL(app.url).host}\r\nCookie: ${cookie}\r\n\r\n`);
    return { socket, received: () => received };
  }

  test("an event reaches streams over HTTP/1.1 as one well-formed chunk, and over HTTP/1.0 unframed", async () => {
    const agent = await createUser({ role: "agent" });
    const streams = { "1.1": rawStream("1.1", agent.cookie), "1.0": rawStream("1.0", agent.cookie) };
    try {
      await vi.waitFor(() => {
        for (const stream of Object.values(streams)) expect(stream.received()).toContain("retry: 5000");
      });
      const contact = `+3161255${String(Date.now() % 10_000).padStart(4, "0")}`;
      const webhook = await fetch(`${app.url}/webhooks/messagebird?secret=${process.env.MESSAGEBIRD_WEBHOOK_SECRET}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ originator: contact.slice(1), recipient: "447700900000", payload: "framed?" }),
      });
      const { id } = (await webhook.json()) as { id: string };
      const frame = (text: string) =>
        new RegExp(`event: inbox\ndata: (\\{[^\n]*"messageId":"${id}"\\})\n\n`).exec(text);
      await vi.waitFor(() => {
        for (const stream of Object.values(streams)) expect(frame(stream.received())).not.toBeNull();
      });

      const chunked = streams["1.1"].received();
      expect(chunked).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*transfer-encoding: chunked\r\n/i);
      // The chunk's size line counts exactly the frame that follows it.
      const event = frame(chunked)!;
      const size = /\r\n([0-9a-f]+)\r\n$/.exec(chunked.slice(0, event.index))?.[1];
      expect(parseInt(size!, 16)).toBe(event[0].length);
      expect(chunked.slice(event.index + event[0].length, event.index + event[0].length + 2)).toBe("\r\n");

      const plain = streams["1.0"].received();
      expect(plain).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(plain).not.toMatch(/transfer-encoding/i);
      expect(plain).not.toMatch(/\r\n[0-9a-f]+\r\nevent: inbox/);
    } finally {
      for (const stream of Object.values(streams)) stream.socket.destroy();
    }
  });
});
