// Production server: node:http + React Router's request listener + static assets.
// The build compiles this file to build/server/server.js (react-router.config.ts),
// which plain `node` runs; `npm start` (scripts/start.mjs) builds first when needed.
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "react-router";
import type * as entryModule from "./app/entry.server";
import sirv from "sirv";

// Server-side React is several times slower in development mode. Set before
// anything loads React (the build, imported below).
process.env.NODE_ENV ??= "production";

const root = process.cwd();
const serverBuildPath = path.join(root, "build/server/index.js");

type EntryModule = typeof entryModule;

async function loadBuild(): Promise<ServerBuild & { entry: { module: EntryModule } }> {
  try {
    return await import(pathToFileURL(serverBuildPath).href);
  } catch (error) {
    // A configuration, DATA_DIR or embedded-database problem is the operator's to fix: print it plainly, no stack.
    if (error instanceof Error && ["ConfigError", "DataDirError", "EmbeddedPostgresError"].includes(error.name)) {
      console.error(error.message);
      process.exit(1);
    }
    // Booting opens the database and applies migrations; say so plainly when that is what failed.
    const code = (error as { code?: string }).code;
    if (code && /^(ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EAI_AGAIN|28P01|3D000|CONNECT_TIMEOUT)$/.test(code)) {
      console.error(
        `Could not open the database (DATABASE_URL): ${(error as Error).message}. Is Postgres running and reachable?`,
      );
      process.exit(1);
    }
    throw error;
  }
}

const build = await loadBuild();
const {
  database,
  env,
  startBackgroundWork,
  createEdgeListener,
  setInternalOrigin,
  connectionCap,
  reportProviderProblem,
} = build.entry.module;

const assets = sirv(path.join(root, "build/client"), {
  etag: true,
  gzip: true,
  setHeaders(res, pathname) {
    // Vite fingerprints everything under /assets: cache it forever. Other files may change between releases;
    // the service worker is checked on every load, so a release reaches open tabs at once.
    res.setHeader(
      "Cache-Control",
      pathname.startsWith("/assets/")
        ? "public, max-age=31536000, immutable"
        : pathname === "/sw.js"
          ? "no-cache"
          : "public, max-age=3600",
    );
  },
});

// A request must arrive whole within the timeout: slow bodies and slow headers
// cannot hold sockets. Event streams are unaffected, since their GET is complete
// the moment its headers are; their heartbeats keep them open.
const server = http.createServer(
  {
    requestTimeout: env.requestTimeoutMs,
    headersTimeout: Math.min(20_000, env.requestTimeoutMs),
    connectionsCheckingInterval: Math.min(30_000, Math.max(250, env.requestTimeoutMs / 4)),
  },
  createEdgeListener({ build, assets }),
);
server.keepAliveTimeout = 65_000;
const cap = connectionCap();
if (cap !== undefined) server.maxConnections = cap;

const stopBackgroundWork = await startBackgroundWork();

server.on("error", (error: NodeJS.ErrnoException) => {
  console.error(
    error.code === "EADDRINUSE"
      ? `Port ${env.port} is already in use. Stop the other process or set PORT to a free port.`
      : `Server error: ${error.message}`,
  );
  process.exit(1);
});

server.listen(env.port, env.host, () => {
  const address = server.address() as AddressInfo;
  setInternalOrigin(address);
  const port = address.port;
  console.log(
    `Birdline listening on http://localhost:${port} (${env.mode} mode, ${database.kind} database, ${env.smsGateway} SMS gateway)`,
  );
  // After listening: a provider that is slow to answer must not hold up the start.
  void reportProviderProblem();
});

let shuttingDown = false;
async function shutdown(signal: string) {
  if (shuttingDown) return;
  shuttingDown = true;
  console.log(`${signal} received; closing connections…`);
  server.close();
  server.closeIdleConnections();
  // Open event streams never end on their own: give in-flight requests a moment, then cut them.
  const force = setTimeout(() => server.closeAllConnections(), 3_000);
  force.unref();
  // An SMS being sent finishes its attempt and records the answer before the database closes.
  await Promise.all([new Promise((resolve) => server.once("close", resolve)), stopBackgroundWork()]);
  await database.close();
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
