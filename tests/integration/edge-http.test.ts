import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, onTestFinished, test, vi } from "vitest";
import { startApp, stopApp, type AppProcess } from "../support/app-process";
import { browser } from "../support/browser";
import { createTestDatabase } from "../setup/test-database";

const PASSWORD = "sunny-otter-42-lamp";
const WEBHOOK_SECRET = "test-webhook-secret-0123456789";
const running: AppProcess[] = [];

async function start(env: Record<string, string | undefined> = {}) {
  const app = await startApp(env);
  running.push(app);
  return app;
}
afterAll(() => Promise.all(running.map(stopApp)));

type RawResponse = { status: number; head: string; closedAfterMs: number };

/**
 * Speaks HTTP/1.1 by hand: fetch cannot send a body in slow chunks, lie about
 * its length or leave it unfinished. Resolves with the status line once the
 * server answers or closes the socket.
 */
function rawRequest(
  app: AppProcess,
  head: string,
  write: (send: (data: string | Buffer) => boolean) => Promise<void> | void = () => {},
) {
  const { port } = new URL(app.url);
  return new Promise<RawResponse>((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(port), "127.0.0.1");
    let received = "";
    socket.on("data", (chunk) => (received += chunk.toString("latin1")));
    socket.on("error", () => {}); // A reset after the answer is the point of some tests.
    socket.on("close", () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0);
      resolve({ status, head: received.split("\r\n\r\n")[0] ?? "", closedAfterMs: Date.now() - started });
    });
    socket.on("connect", async () => {
      socket.write(`${head.trim().replaceAll("\n", "\r\n")}\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
      try {
        await write((data) => !socket.destroyed && socket.write(data));
      } catch (error) {
        reject(error);
      }
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const chunk = (data: Buffer) =>
  Buffer.concat([Buffer.from(`${data.length.toString(16)}\r\n`), data, Buffer.from("\r\n")]);

async function stillServing(app: AppProcess) {
  expect(app.process.exitCode).toBeNull();
  expect(await fetch(new URL("/healthz", app.url))).toHaveStatus(200);
}

describe("the edge of the built server, local mode", () => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await start({ REQUEST_TIMEOUT: "2" });
  });

  test.each(["/webhooks/messagebird", "/webhooks/messagebird/status"])(
    "a chunked body over 64 KiB to %s answers 413 and the server keeps serving",
    async (path) => {
      for (let round = 0; round < 3; round++) {
        const response = await rawRequest(
          app,
          `POST ${path}?secret=${WEBHOOK_SECRET} HTTP/1.1\nContent-Type: application/json\nTransfer-Encoding: chunked`,
          async (send) => {
            for (let i = 0; i < 8 && send(chunk(Buffer.alloc(16 * 1024, "a"))); i++) await sleep(5);
            send("0\r\n\r\n");
          },
        );
        expect(response).toHaveStatus(413);
      }
      await stillServing(app);
    },
  );

  test("a form post announcing 400 MB is refused before a byte of it is read; so is a chunked one past 32 KiB", async () => {
    const announced = await rawRequest(
      app,
      `POST /login HTTP/1.1\nContent-Type: application/x-www-form-urlencoded\nContent-Length: ${400 * 1024 * 1024}`,
      (send) => void send("email=a"),
    );
    expect(announced).toHaveStatus(413);
    const chunked = await rawRequest(
      app,
      "POST /login HTTP/1.1\nContent-Type: application/x-www-form-urlencoded\nTransfer-Encoding: chunked",
      async (send) => {
        for (let i = 0; i < 64 && send(chunk(Buffer.alloc(8 * 1024, "a"))); i++) await sleep(1);
      },
    );
    expect(chunked).toHaveStatus(413);
    await stillServing(app);
  });

  test("JSON and plain-text posts to a form answer 415; a multipart form is read like any form", async () => {
    const post = (body: BodyInit, contentType?: string) =>
      fetch(new URL("/login", app.url), {
        method: "POST",
        body,
        redirect: "manual",
        headers: contentType ? { "content-type": contentType } : {},
      });
    expect(await post(JSON.stringify({ email: "a@example.com" }), "application/json")).toHaveStatus(415);
    expect(await post("email=a@example.com", "text/plain")).toHaveStatus(415);
    const multipart = new FormData();
    multipart.set("email", "someone@example.com");
    multipart.set("password", "wrong-password");
    const answer = await post(multipart);
    // No CSRF token in this form: refused as a stale form, re-rendered, not a server error.
    expect(answer).toHaveStatus(400);
    expect(await answer.text()).toContain('value="someone@example.com"');
  });

  test("a client that trickles its body is cut off after REQUEST_TIMEOUT; an open event stream is not", async () => {
    const visitor = browser(app.url);
    await visitor.submit("/register", {
      email: `stream-${Date.now()}@example.com`,
      password: PASSWORD,
      confirmPassword: PASSWORD,
    });
    const controller = new AbortController();
    const stream = await fetch(new URL("/events", app.url), {
      headers: { cookie: visitor.jar.header() },
      signal: controller.signal,
    });
    expect(stream).toHaveStatus(200);
    const reader = stream.body!.getReader();
    let streamEnded = false;
    void (async () => {
      while (!(await reader.read().catch(() => ({ done: true }))).done);
      streamEnded = true;
    })();

    const slow = await rawRequest(
      app,
      "POST /login HTTP/1.1\nContent-Type: application/x-www-form-urlencoded\nContent-Length: 1000",
      async (send) => {
        for (let i = 0; i < 40 && send("a"); i++) await sleep(250);
      },
    );
    expect(slow).toHaveStatus(408);
    expect(slow.closedAfterMs).toBeLessThan(6_000);
    expect(streamEnded).toBe(false);
    controller.abort();
  });

  test("pages carry a CSP whose nonce is on every script, and the usual security headers", async () => {
    const response = await fetch(new URL("/login", app.url));
    const policy = response.headers.get("content-security-policy") ?? "";
    const nonce = /'nonce-([^']+)'/.exec(policy)?.[1];
    expect(nonce).toBeTruthy();
    expect(policy).toContain("frame-ancestors 'none'");
    const scripts = (await response.text()).match(/<script[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) expect(script).toContain(`nonce="${nonce}"`);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("same-origin");
    // HSTS on http://localhost would pin the developer's browser to https.
    expect(response.headers.get("strict-transport-security")).toBeNull();
    const second = await fetch(new URL("/login", app.url));
    expect(second.headers.get("content-security-policy")).not.toContain(nonce);
  });

  test("local mode answers only loopback Host names, so a rebinding page cannot read the handset or post SMS", async () => {
    const asRebound = (path: string, init: { method?: string; body?: string } = {}) =>
      rawRequest(app, `${init.method ?? "GET"} ${path} HTTP/1.1\nHost: rebind.attacker.example`, (send) => {
        if (init.body) send(init.body);
      });
    const handset = await rawRequest(app, "GET /dev/phone HTTP/1.1\nHost: rebind.attacker.example:3000");
    expect(handset).toHaveStatus(421);
    expect(
      await asRebound(
        `/webhooks/messagebird?secret=${WEBHOOK_SECRET}&originator=31612345678&recipient=447700900000&body=hi&id=x1`,
      ),
    ).toHaveStatus(421);
    expect(await fetch(new URL("/dev/phone", app.url))).toHaveStatus(200);
    const viaLocalhost = await fetch(new URL("/dev/phone", app.url.replace("127.0.0.1", "localhost")));
    expect(viaLocalhost).toHaveStatus(200);
  });
});

describe("behind a TLS-terminating proxy (deployed mode)", () => {
  const PUBLIC = "https://sms.example.com";
  const proxyHeaders = { "x-forwarded-proto": "https", "x-forwarded-host": "sms.example.com" };
  const deployed = { APP_URL: PUBLIC, SMS_GATEWAY: "simulator", MESSAGEBIRD_WEBHOOK_SECRET: WEBHOOK_SECRET };

  test("same-origin form posts work; a cross-site one is refused and logged as one JSON line naming the expected origin", async () => {
    const app = await start({ ...deployed, TRUST_PROXY: "127.0.0.1,::1" });
    const visitor = browser(app.url, {
      headers: { ...proxyHeaders, origin: PUBLIC, "x-forwarded-for": "198.51.100.7" },
    });
    const registered = await visitor.submit("/register", {
      email: `proxy-${Date.now()}@example.com`,
      password: PASSWORD,
      confirmPassword: PASSWORD,
    });
    expect(registered).toHaveRedirect("/settings/phone");
    expect(registered.headers.getSetCookie().join("\n")).toMatch(/__Secure-authjs\.session-token=.*Secure/i);
    expect(registered.headers.get("strict-transport-security")).toContain("max-age=");
    expect(await visitor.post("/logout")).toHaveStatus(302);

    const forged = await browser(app.url, { headers: { ...proxyHeaders, origin: "https://evil.example" } }).submit(
      "/login",
      {
        email: "someone@example.com",
        password: PASSWORD,
      },
    );
    expect(forged).toHaveStatus(403);
    const lines = () => app.stderr().trim().split("\n").filter(Boolean);
    // The log line travels on stderr, a pipe of its own: it may arrive after the response does.
    const refusal = await vi.waitFor(() => {
      for (const line of lines()) expect(() => JSON.parse(line), line).not.toThrow();
      const entry = lines()
        .map((line) => JSON.parse(line))
        .find((logged) => logged.origin === "https://evil.example");
      expect(entry).toBeDefined();
      return entry;
    });
    expect(refusal).toMatchObject({ level: "warn", expected: PUBLIC });
    expect(refusal.hint).toMatch(/APP_URL/);
  });

  test("the simulator's handset reaches the app over loopback, not through the public URL", async () => {
    // sms.example.com does not lead to this process: a handset SMS sent there would never arrive.
    // A database of its own, so the account registered here is the first one: the admin who may use the handset.
    const own = await createTestDatabase();
    const app = await start({ ...deployed, TRUST_PROXY: "127.0.0.1,::1", DATABASE_URL: own.databaseUrl });
    onTestFinished(async () => {
      await stopApp(app);
      await own.drop();
    });
    const admin = browser(app.url, { headers: { ...proxyHeaders, origin: PUBLIC } });
    await admin.submit("/register", {
      email: `first-${Date.now()}@example.com`,
      password: PASSWORD,
      confirmPassword: PASSWORD,
    });
    const sent = await admin.post("/dev/phone?number=%2B31612345678", {
      number: "+31612345678",
      body: "hello over loopback",
    });
    expect(sent).toHaveStatus(302);
    expect((await admin.get("/dev/phone?number=%2B31612345678")).html).toContain("hello over loopback");
  });

  test("forwarded headers count only from TRUST_PROXY's addresses: others cannot pick their own client address", async () => {
    const register = (app: AppProcess, i: number) =>
      browser(app.url, { headers: { ...proxyHeaders, origin: PUBLIC, "x-forwarded-for": `203.0.113.${i}` } }).submit(
        "/register",
        {
          email: `spoof-${i}-${Date.now()}@example.com`,
          password: PASSWORD,
          confirmPassword: PASSWORD,
        },
      );
    const trusting = await start({ ...deployed, TRUST_PROXY: "127.0.0.1,::1" });
    for (let i = 1; i <= 6; i++) expect(await register(trusting, i)).toHaveStatus(302);

    // This process trusts a proxy elsewhere: our X-Forwarded-* are a stranger's claims.
    const elsewhere = await start({ ...deployed, TRUST_PROXY: "192.0.2.1" });
    const statuses = [];
    for (let i = 1; i <= 6; i++) statuses.push((await register(elsewhere, 10 + i)).status);
    // Not trusted, so not https either: the https Origin no longer matches and the post is refused,
    // rather than each invented address getting its own registration allowance.
    expect(statuses.every((status) => status === 403)).toBe(true);
    expect(elsewhere.stderr()).toContain("that TRUST_PROXY does not list");
  });
});
