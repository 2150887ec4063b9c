import { mkdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { defineConfig, type PlaywrightTestConfig } from "@playwright/test";
import { E2E_PORT } from "./tests/e2e/e2e-port";
import { APP_DATABASE_URL, AUTH_SECRET, SERVICE_NUMBER } from "./tests/e2e/main-app";
import { BIRD_APP_PORT, BIRD_APP_URL } from "./tests/e2e/bird-app";
import { PUSH_SERVICE_FILES } from "./tests/e2e/push-service-files";
import { makeCertificate } from "./tests/support/push-service";
import {
  binaryOf,
  PROXY_STACKS,
  proxiedAppEnv,
  PUBLIC_HOST,
  SCALE_STACK,
  type ProxyStack,
} from "./tests/e2e/proxy/stacks";

// Debian's Chromium (never a downloaded browser); scripts/e2e.mjs checks it exists.
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const port = E2E_PORT;
export const baseURL = `http://localhost:${port}`;

const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

// The proxy projects need nginx and Caddy installed (.ci/run does). Without one, say so loudly:
// locally its project is left out, under CI that is a failure. Workers load this file too; the
// main process speaks for them.
const proxies = Object.values(PROXY_STACKS).filter((stack) => binaryOf(stack.kind));
const missing = Object.values(PROXY_STACKS).filter((stack) => !proxies.includes(stack));
if (missing.length > 0 && !process.env.TEST_WORKER_INDEX) {
  const banner = "=".repeat(72);
  const lines = missing.map(
    ({ kind }) => `!!! e2e project proxy-${kind} skipped: no ${kind} binary (apt-get install ${kind})`,
  );
  console.error(`\n${banner}\n${lines.join("\n")}\n${banner}\n`);
  if (process.env.CI) process.exit(1);
}

type WebServer = Extract<PlaywrightTestConfig["webServer"], unknown[]>[number];

// Specs that run only against an app behind a proxy, in their own projects.
const PROXIED_SPECS = ["proxy.spec.ts", "scale.spec.ts"];
// Two instances need a database they can share, which scripts/e2e.mjs creates; nginx, like proxy-nginx.
const scaled = Boolean(process.env.E2E_SCALE_DATABASE_URL && binaryOf("nginx"));
if (!process.env.E2E_SCALE_DATABASE_URL && !process.env.TEST_WORKER_INDEX) {
  console.error("!!! e2e project scale-nginx skipped: run e2e through scripts/e2e.mjs, which creates its database");
  if (process.env.CI) process.exit(1);
}

/** A browser talking https to a proxy: its certificate is self-signed, its name known only to this browser. */
const behind = (stack: ProxyStack) => ({
  baseURL: stack.origin,
  javaScriptEnabled: true,
  ignoreHTTPSErrors: true,
  launchOptions: {
    executablePath,
    args: [...chromiumArgs, `--host-resolver-rules=MAP ${PUBLIC_HOST} 127.0.0.1`],
  },
});

// Each app server without a DATABASE_URL runs the embedded database in a DATA_DIR of its own here.
// scripts/e2e.mjs makes a fresh one per run; run directly, the old one is cleared first.
const dataRoot = process.env.E2E_DATA_DIR ?? path.join(os.tmpdir(), `birdline-e2e-${port}`);
if (!process.env.E2E_DATA_DIR && !process.env.TEST_WORKER_INDEX) rmSync(dataRoot, { recursive: true, force: true });

// The push service push.spec.ts runs: its certificate exists before the main app starts trusting it.
if (!process.env.TEST_WORKER_INDEX) {
  mkdirSync(path.dirname(PUSH_SERVICE_FILES.key), { recursive: true });
  makeCertificate(path.dirname(PUSH_SERVICE_FILES.key));
}

const appServer = (name: string, appPort: number, env: Record<string, string>): WebServer => ({
  name,
  command: "node build/server/server.js",
  // SIGTERM, not Playwright's default SIGKILL: the app stops its embedded database on the way out.
  gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
  url: `http://127.0.0.1:${appPort}/healthz`,
  reuseExistingServer: false,
  timeout: 120_000,
  stdout: "ignore",
  stderr: "pipe",
  env: {
    DATA_DIR: path.join(dataRoot, String(appPort)),
    BIRDLINE_SKIP_BUILD: "1",
    LOG_LEVEL: "warn",
    // The e2e servers use the embedded database and the simulator, like `npm start`; only the
    // main app may be given a Postgres database (tests/e2e/main-app.ts).
    DATABASE_URL: "",
    MESSAGEBIRD_API_KEY: "",
    ...env,
  },
});

const proxyServer = (stack: ProxyStack, name: string = stack.kind): WebServer => ({
  name,
  command: `node --import tsx tests/e2e/proxy/start-proxy.ts ${name}`,
  wait: { stdout: / ready: / },
  timeout: 60_000,
  stdout: "ignore",
  stderr: "pipe",
});

export default defineConfig({
  testDir: "tests/e2e",
  globalSetup: "./tests/e2e/global-setup.ts",
  fullyParallel: true,
  workers: process.env.CI ? 2 : undefined,
  retries: 0,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    baseURL,
    trace: "retain-on-failure",
    launchOptions: { executablePath, args: chromiumArgs },
  },
  projects: [
    { name: "js", use: { javaScriptEnabled: true }, testIgnore: PROXIED_SPECS },
    { name: "no-js", use: { javaScriptEnabled: false }, grepInvert: /@js-only/, testIgnore: PROXIED_SPECS },
    ...proxies.map((stack) => ({
      name: `proxy-${stack.kind}`,
      testMatch: "proxy.spec.ts",
      metadata: { proxy: stack.kind },
      use: behind(stack),
    })),
    ...(scaled ? [{ name: "scale-nginx", testMatch: "scale.spec.ts", use: behind(SCALE_STACK) }] : []),
  ],
  webServer: [
    appServer("app", port, {
      PORT: String(port),
      APP_URL: baseURL,
      TRUST_PROXY: "127.0.0.1,::1",
      AUTH_SECRET,
      MESSAGEBIRD_SENDER_ID: SERVICE_NUMBER,
      DATABASE_URL: APP_DATABASE_URL ?? "",
      // Pushes go to push.spec.ts's own push service on https://localhost: no browser vendor's is reachable here.
      NODE_EXTRA_CA_CERTS: PUSH_SERVICE_FILES.certificate,
      PUSH_ALLOWED_HOSTS: "localhost",
    }),
    // The whole Bird platform path in local mode: the simulator speaks Bird (bird.spec.ts).
    appServer("app with the simulator speaking Bird", BIRD_APP_PORT, {
      PORT: String(BIRD_APP_PORT),
      APP_URL: BIRD_APP_URL,
      TRUST_PROXY: "127.0.0.1,::1",
      AUTH_SECRET,
      MESSAGEBIRD_SENDER_ID: SERVICE_NUMBER,
      SIMULATOR_API: "bird",
    }),
    ...proxies.map((stack) => appServer(`app behind ${stack.kind}`, stack.appPort, proxiedAppEnv(stack))),
    ...proxies.map((stack) => proxyServer(stack)),
    // Two instances on one database of their own (scripts/e2e.mjs makes it) behind one nginx.
    ...(scaled
      ? [
          ...SCALE_STACK.appPorts.map((appPort, i) =>
            appServer(`instance ${i + 1} behind nginx`, appPort, {
              ...proxiedAppEnv(SCALE_STACK),
              PORT: String(appPort),
              DATABASE_URL: process.env.E2E_SCALE_DATABASE_URL!,
            }),
          ),
          proxyServer(SCALE_STACK, "scale-nginx"),
        ]
      : []),
  ],
});
