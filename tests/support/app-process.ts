import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";

const SERVER = path.resolve("build/server/server.js");
const BOOT_TIMEOUT_MS = 30_000;

export type AppProcess = {
  url: string;
  process: ChildProcess;
  /** Everything the process wrote to stderr so far (warnings and errors: one JSON line each). */
  stderr(): string;
  /** Everything it wrote to stdout so far (progress lines such as where the embedded database lives). */
  stdout(): string;
};

/**
 * The built app as `npm start` runs it (the compiled server, plain node), on a
 * free port. It shares this test file's database (DATABASE_URL) unless `env`
 * says otherwise, e.g. a DATA_DIR for the embedded database.
 */
export function startApp(
  env: Record<string, string | undefined> = {},
  {
    openFiles,
  }: { /** The process's open-files limit (`ulimit -n`), as a small server might have. */ openFiles?: number } = {},
): Promise<AppProcess> {
  if (!existsSync(SERVER)) {
    throw new Error(`${SERVER} is missing: run \`npx react-router build\` first (\`npm test\` builds before vitest).`);
  }
  const [command, args] = openFiles
    ? ["sh", ["-c", `ulimit -n ${openFiles} && exec "$0" "$@"`, process.execPath, SERVER]]
    : [process.execPath, [SERVER]];
  const child = spawn(command, args, {
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
      ...env,
    },
  });
  return new Promise((resolve, reject) => {
    let output = "";
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => fail(`did not start within ${BOOT_TIMEOUT_MS} ms`), BOOT_TIMEOUT_MS);
    function fail(reason: string) {
      clearTimeout(timer);
      child.kill();
      reject(new Error(`app process ${reason}; output:\n${output}`));
    }
    const onExit = (code: number | null) => fail(`exited with code ${code}`);
    child.stderr!.on("data", (chunk: Buffer) => {
      output += chunk;
      stderr += chunk;
    });
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stdout!.on("data", function onOutput(chunk: Buffer) {
      output += chunk;
      const port = /listening on http:\/\/localhost:(\d+)/.exec(output)?.[1];
      if (!port) return;
      clearTimeout(timer);
      child.off("exit", onExit);
      child.stdout!.off("data", onOutput);
      resolve({ url: `http://127.0.0.1:${port}`, process: child, stderr: () => stderr, stdout: () => stdout });
    });
    child.once("exit", onExit);
  });
}

/**
 * The app on a port chosen up front that is also its APP_URL, so what it
 * addresses to itself (the simulator's delivery reports) reaches it rather
 * than whatever else listens on localhost:3000.
 */
export async function startSelfAddressedApp(env: Record<string, string | undefined> = {}): Promise<AppProcess> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return startApp({ PORT: String(port), APP_URL: `http://127.0.0.1:${port}`, ...env });
}

export function stopApp({ process: child }: AppProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
