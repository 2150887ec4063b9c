import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { E2E_PORT } from "../e2e-port";

export type ProxyKind = "nginx" | "caddy";

/** The browser's host name; only Chromium resolves it (to 127.0.0.1, see playwright.config.ts). */
export const PUBLIC_HOST = "birdline.test";
/** Deployed mode refuses to boot without these; they only ever guard a throwaway in-memory database. */
export const WEBHOOK_SECRET = "e2e-proxy-webhook-secret";
const AUTH_SECRET = "e2e-proxy-auth-secret-not-for-production";

export type ProxyStack = {
  kind: ProxyKind;
  /** Each proxy fronts its own app process, so the first account registered through it is that project's admin. */
  appPort: number;
  proxyPort: number;
  origin: string;
  /** Generated config, certificate and logs; start-proxy.ts recreates it on every start. */
  workDir: string;
  accessLog: string;
};

// Offsets from E2E_PORT keep parallel runs apart: choose another E2E_PORT and every port moves with it.
const basePort = E2E_PORT;

function stack(kind: ProxyKind, offset: number): ProxyStack {
  const proxyPort = basePort + 443 + offset;
  const workDir = path.join(os.tmpdir(), `birdline-e2e-${kind}-${proxyPort}`);
  return {
    kind,
    appPort: basePort + 1 + offset,
    proxyPort,
    origin: `https://${PUBLIC_HOST}:${proxyPort}`,
    workDir,
    accessLog: path.join(workDir, "access.log"),
  };
}

export const PROXY_STACKS: Record<ProxyKind, ProxyStack> = { nginx: stack("nginx", 0), caddy: stack("caddy", 1) };

/**
 * Two app instances on one database behind one nginx, round robin, as "Several instances" in the
 * README deploys them (scale.spec.ts). `appPort` is the first instance's.
 */
export const SCALE_STACK = (() => {
  const first = stack("nginx", 4);
  return { ...first, appPorts: [first.appPort, first.appPort + 1] as const };
})();

/** Caddy answers plain http on a port of its own; it only ever redirects, but it must not collide. */
export const caddyHttpPort = (caddy: ProxyStack) => caddy.proxyPort + 2;

/** The app behind a proxy, configured as the README tells an operator to, in deployed mode. */
export const proxiedAppEnv = (proxy: ProxyStack) => ({
  PORT: String(proxy.appPort),
  HOST: "127.0.0.1",
  APP_URL: proxy.origin,
  TRUST_PROXY: "127.0.0.1,::1",
  AUTH_SECRET,
  MESSAGEBIRD_WEBHOOK_SECRET: WEBHOOK_SECRET,
  SMS_GATEWAY: "simulator",
});

// Debian installs nginx in /usr/sbin, which is not on every user's PATH.
const searchPath = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/sbin", "/usr/local/sbin"];
export const binaryOf = (kind: ProxyKind) =>
  searchPath.map((dir) => path.join(dir, kind)).find((file) => existsSync(file));
