import { execFileSync } from "node:child_process";

/**
 * The run's ports, as offsets from one base: the main app, the two apps behind proxies, the app
 * whose simulator speaks Bird (bird-app.ts), the two instances behind one nginx, and the proxies
 * themselves (proxy/stacks.ts). E2E_PORT chooses the base (parallel runs each pass their
 * own); without it, a base where every one of them is free right now.
 */
const OFFSETS = [0, 1, 2, 3, 5, 6, 443, 444, 445, 446, 447];

// The config is synchronous, so the probing (binding, which is not) runs in a child process.
const PROBE = `
const net = require("node:net");
const offsets = JSON.parse(process.argv[1]);
const free = (port) => new Promise((resolve) => {
  const server = net.createServer();
  server.once("error", () => resolve(false));
  server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
});
(async () => {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 20000);
    let ok = true;
    for (const offset of offsets) if (!(ok = await free(base + offset))) break;
    if (ok) return console.log(base);
  }
  process.exit(1);
})();
`;

// Set once in Playwright's main process; the workers and web servers it starts inherit it.
process.env.E2E_PORT ||= execFileSync(process.execPath, ["-e", PROBE, JSON.stringify(OFFSETS)], {
  encoding: "utf8",
}).trim();

export const E2E_PORT = Number(process.env.E2E_PORT);
