import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { InboxEvent } from "~/.server/events";
import { readEventStream } from "../support/event-stream";
import { signedInUser } from "../support/session";

const SERVER_BUILD = path.resolve("build/server/index.js");
const BOOT_TIMEOUT_MS = 30_000;
// Generous on purpose: the latency target belongs to the benchmark, this proves the path exists.
const DELIVERY_BOUND_MS = 1_000;

type Instance = { url: string; process: ChildProcess };

/** The built app as `npm start` runs it, on a free port, against this file's database. */
function startInstance(): Promise<Instance> {
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: process.cwd(),
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "production",
      PORT: "0",
      HOST: "127.0.0.1",
      BIRDLINE_SKIP_BUILD: "1",
      DATABASE_URL: process.env.DATABASE_URL,
      APP_URL: process.env.APP_URL,
      AUTH_SECRET: process.env.AUTH_SECRET,
      MESSAGEBIRD_WEBHOOK_SECRET: process.env.MESSAGEBIRD_WEBHOOK_SECRET,
      LOG_LEVEL: "warn",
    },
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => fail(`did not start within ${BOOT_TIMEOUT_MS} ms`), BOOT_TIMEOUT_MS);
    function fail(reason: string) {
      clearTimeout(timer);
      child.kill();
      reject(new Error(`app instance ${reason}; output:\n${output}`));
    }
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk));
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk;
      const port = /listening on http:\/\/localhost:(\d+)/.exec(output)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve({ url: `http://127.0.0.1:${port}`, process: child });
      }
    });
    child.once("exit", (code) => fail(`exited with code ${code}`));
  });
}

function stopInstance({ process: child }: Instance): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

describe.runIf(!!process.env.TEST_DATABASE_URL)("two instances on one database", () => {
  const instances: Instance[] = [];

  beforeAll(async () => {
    if (!existsSync(SERVER_BUILD)) {
      throw new Error(`${SERVER_BUILD} is missing: run \`npx react-router build\` first (\`npm test\` builds before vitest).`);
    }
    instances.push(...(await Promise.all([startInstance(), startInstance()])));
  });
  afterAll(async () => {
    await Promise.all(instances.map(stopInstance));
  });

  test("an SMS arriving through instance A reaches an /events stream on instance B within a second", async () => {
    const [a, b] = instances as [Instance, Instance];
    const agent = await signedInUser("agent");
    const abort = new AbortController();
    const response = await fetch(`${b.url}/events`, { headers: { cookie: agent.cookie }, signal: abort.signal });
    expect(response.status).toBe(200);
    const stream = readEventStream(response.body!);
    await stream.until((text) => text.startsWith("retry:"));

    const latencies: number[] = [];
    try {
      for (let n = 1; n <= 5; n++) {
        const started = performance.now();
        const webhook = await fetch(`${a.url}/webhooks/messagebird?secret=${process.env.MESSAGEBIRD_WEBHOOK_SECRET}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ originator: "+31612340009", recipient: "+447700900000", payload: `ping ${n}`, messageId: `multi-${n}` }),
        });
        expect(webhook.status).toBe(200);
        const { id } = (await webhook.json()) as { id: string };
        await stream.until((text) => text.includes(id), DELIVERY_BOUND_MS);
        latencies.push(performance.now() - started);
        const event = stream.events().map((e) => JSON.parse(e.data) as InboxEvent).find((e) => e.messageId === id);
        expect(event).toMatchObject({ kind: "message", messageId: id });
      }
    } finally {
      abort.abort();
    }
    console.info(`webhook into A → event at B: ${latencies.map((ms) => `${ms.toFixed(1)} ms`).join(", ")}`);
    expect(Math.max(...latencies)).toBeLessThan(DELIVERY_BOUND_MS);
  });
});
