import http from "node:http";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, onTestFinished, test, vi } from "vitest";
import { startApp, stopApp, type AppProcess } from "../support/app-process";
import { browser } from "../support/browser";
import { createTestDatabase } from "../setup/test-database";

const PASSWORD = "sunny-otter-42-lamp";
const WEBHOOK_SECRET = "test-webhook-secret-0123456789";
const running: AppProcess[] = [];

async function start(env: Record<string, string | undefined> = {}, options?: Parameters<typeof startApp>[1]) {
  const app = await startApp(env, options);
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
    expect(policy).toContain("worker-src 'self'");
    expect(policy).toContain("manifest-src 'self'");
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

describe("requests shaped by an attacker, local mode", () => {
  let app: AppProcess;
  beforeAll(async () => {
    app = await start();
  });
  const errorLines = () =>
    app
      .stderr()
      .split("\n")
      .filter((line) => line.includes('"level":"error"'));

  test("a request target starting with // or /\\ cannot choose the origin a form post is checked against", async () => {
    // Another local port posing as us: it sends its own Origin, and puts that origin in the path.
    const visitor = browser(app.url, { headers: { origin: "http://localhost:9999" } });
    const csrfToken = await visitor.csrfToken("/register");
    for (const path of ["//localhost:9999/register", "/\\localhost:9999/register"]) {
      const forged = await visitor.request("POST", path, {
        csrfToken,
        email: `forged-${Date.now()}@example.com`,
        password: PASSWORD,
        confirmPassword: PASSWORD,
      });
      expect(forged, path).toHaveStatus(400);
      expect(forged.headers.getSetCookie().join()).not.toMatch(/session-token/);
    }
    expect(await visitor.submit("/register", { email: "plain@example.com", password: PASSWORD })).toHaveStatus(403);
  });

  test("DNS rebinding through a //localhost path is refused: the Host header decides", async () => {
    const rebound = await rawRequest(app, "GET //localhost/dev/phone HTTP/1.1\nHost: rebind.attacker.example:3301");
    expect(rebound.status).not.toBe(200);
    expect([400, 421]).toContain(rebound.status);
  });

  test("a form post the browser marks as from another site is refused on every action, Origin or not", async () => {
    for (const site of ["cross-site", "same-site"]) {
      const visitor = browser(app.url, { headers: { "sec-fetch-site": site } });
      const refused = await visitor.submit("/register", {
        email: `${site}-${Date.now()}@example.com`,
        password: PASSWORD,
        confirmPassword: PASSWORD,
      });
      expect(refused, site).toHaveStatus(403);
      expect(refused.headers.getSetCookie().join()).not.toMatch(/session-token/);
    }
    const visitor = browser(app.url, { headers: { "sec-fetch-site": "same-origin" } });
    const registered = await visitor.submit("/register", {
      email: `same-origin-${Date.now()}@example.com`,
      password: PASSWORD,
      confirmPassword: PASSWORD,
    });
    expect(registered).toHaveRedirect("/settings/phone");
    const signedIn = async () => (await visitor.get("/settings/phone")).status === 200;
    const crossSite = browser(app.url, { jar: visitor.jar, headers: { "sec-fetch-site": "cross-site" } });
    expect(await crossSite.post("/logout")).toHaveStatus(403);
    expect(await signedIn()).toBe(true);
  });

  test("refused cross-origin posts cannot flood the log: throttled per client, whatever Origin it invents", async () => {
    const refusals = () =>
      app
        .stderr()
        .split("\n")
        .filter((line) => line.includes("refused a form post")).length;
    const before = refusals();
    for (let i = 0; i < 200; i++) {
      const origin = `http://flood-${i}.example${"x".repeat(i % 2 ? 8_000 : 0)}`;
      expect(await browser(app.url, { headers: { origin } }).post("/login", { email: "a@example.com" })).toHaveStatus(
        403,
      );
    }
    await sleep(200);
    expect(refusals() - before).toBeLessThanOrEqual(1);
  });

  test("malformed multipart answers 400 on the sign-in and sign-up forms, with no error line", async () => {
    const before = errorLines().length;
    const multipart = (path: string, contentType: string, body: string) =>
      fetch(new URL(path, app.url), {
        method: "POST",
        headers: { "content-type": contentType },
        body,
        redirect: "manual",
      });
    const part = '--abc\r\nContent-Disposition: form-data; name="email"\r\n\r\na@example.com\r\n--abc--\r\n';
    for (const path of ["/login", "/register"]) {
      expect(await multipart(path, "multipart/form-data", part), `${path} without boundary`).toHaveStatus(400);
      expect(await multipart(path, "multipart/form-data; boundary=xyz", part), `${path} other boundary`).toHaveStatus(
        400,
      );
    }
    await sleep(200);
    expect(errorLines().length).toBe(before);
    await stillServing(app);
  });

  test("NUL characters in a form or a query answer 400, with no error line", async () => {
    const visitor = browser(app.url);
    await visitor.submit("/register", {
      email: `nul-${Date.now()}@example.com`,
      password: PASSWORD,
      confirmPassword: PASSWORD,
    });
    const before = errorLines().length;
    expect(await visitor.get("/messages?q=%00")).toHaveStatus(400);
    expect(await visitor.post("/settings/phone", { phone: "+3161234\u00005678" })).toHaveStatus(400);
    const multipart = new FormData();
    multipart.set("email", "a\u0000@example.com");
    multipart.set("password", "x");
    expect(await fetch(new URL("/login", app.url), { method: "POST", body: multipart })).toHaveStatus(400);
    // A reply may quote "%00" literally: only a real NUL is refused.
    expect(await visitor.get("/messages?q=%2500")).toHaveStatus(200);
    await sleep(200);
    expect(errorLines().length).toBe(before);
  });

  test("a flood of idle connections cannot take every file descriptor: requests in flight still open files and the process lives", async () => {
    const small = await start({}, { openFiles: 256 });
    const { port } = new URL(small.url);
    // A browser's keep-alive connection, open before the flood, as a signed-in agent's would be.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    onTestFinished(() => agent.destroy());
    const get = (path: string) =>
      new Promise<number | string>((resolve) => {
        const request = http.get({ host: "127.0.0.1", port, path, agent }, (response) => {
          response.resume().on("end", () => resolve(response.statusCode!));
        });
        request.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? "error"));
      });
    expect(await get("/healthz")).toBe(200);
    const idle = Array.from({ length: 400 }, () => connect(Number(port), "127.0.0.1").on("error", () => {}));
    onTestFinished(() => idle.forEach((socket) => socket.destroy()));
    // Each one connected (and maybe was closed at once by the server): the flood has arrived.
    await Promise.all(
      idle.map((socket) => new Promise((resolve) => socket.once("connect", resolve).once("close", resolve))),
    );
    await sleep(500);
    // Serving a file needs a descriptor of its own.
    expect(await get("/favicon.svg")).toBe(200);
    expect(await get("/healthz")).toBe(200);
    for (const socket of idle) socket.destroy();
    await vi.waitFor(async () => expect(await fetch(new URL("/healthz", small.url))).toHaveStatus(200));
    expect(small.process.exitCode).toBeNull();
  });

  test("pages and their data are never cached: private, no-store; static files keep their caching", async () => {
    const visitor = browser(app.url);
    await visitor.submit("/register", {
      email: `cache-${Date.now()}@example.com`,
      password: PASSWORD,
      confirmPassword: PASSWORD,
    });
    const page = await visitor.get("/settings/phone");
    expect(page).toHaveStatus(200);
    expect(page.headers.get("cache-control")).toBe("private, no-store");
    expect((await visitor.get("/settings/phone.data")).headers.get("cache-control")).toBe("private, no-store");
    expect((await visitor.get("/login")).headers.get("cache-control")).toBe("private, no-store");
    const asset = /<link rel="modulepreload" href="(\/assets\/[^"]+)"/.exec(page.html)?.[1];
    expect(asset).toBeDefined();
    expect((await fetch(new URL(asset!, app.url))).headers.get("cache-control")).toContain("immutable");
  });
});

describe("behind a TLS-terminating proxy (deployed mode)", () => {
  const PUBLIC = "https://sms.example.com";
  const proxyHeaders = { "x-forwarded-proto": "https", "x-forwarded-host": "sms.example.com" };
  const deployed = { APP_URL: PUBLIC, SMS_GATEWAY: "simulator", MESSAGEBIRD_WEBHOOK_SECRET: WEBHOOK_SECRET };

  test("behind the proxy a //host request target cannot choose the origin either: the forwarded host decides", async () => {
    const app = await start({ ...deployed, TRUST_PROXY: "127.0.0.1,::1" });
    const attacker = browser(app.url, { headers: { ...proxyHeaders, origin: "https://evil.example" } });
    const csrfToken = await attacker.csrfToken("/register");
    const forged = await attacker.request("POST", "//evil.example/register", {
      csrfToken,
      email: `forged-${Date.now()}@example.com`,
      password: PASSWORD,
      confirmPassword: PASSWORD,
    });
    expect(forged).toHaveStatus(400);
    expect(forged.headers.getSetCookie().join()).not.toMatch(/session-token/);
  });

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
