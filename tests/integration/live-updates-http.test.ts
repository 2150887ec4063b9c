import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
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
});
