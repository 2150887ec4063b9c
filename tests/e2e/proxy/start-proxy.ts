// `node --import tsx tests/e2e/proxy/start-proxy.ts nginx|caddy`: runs one reverse
// proxy in the foreground for its e2e project, configured with the README's own
// snippet, and prints "ready" once a request through it reaches the app.
import { execFileSync, spawn, type ExecFileSyncOptions } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import path from "node:path";
import {
  binaryOf,
  caddyHttpPort,
  PROXY_STACKS,
  PUBLIC_HOST,
  SCALE_STACK,
  type ProxyKind,
  type ProxyStack,
} from "./stacks";

// `scale-nginx`: the nginx snippet with its upstream over two instances (README, "Several instances").
const scale = process.argv[2] === "scale-nginx";
const stack = scale ? SCALE_STACK : PROXY_STACKS[process.argv[2] as ProxyKind];
const kind = stack?.kind;
const binary = kind && binaryOf(kind);
if (!binary) {
  console.error(`usage: start-proxy.ts nginx|caddy|scale-nginx (and the binary installed); got ${process.argv[2]}`);
  process.exit(2);
}

function readmeSnippet(marker: string = kind!): string {
  const readme = readFileSync(path.join(import.meta.dirname, "../../../README.md"), "utf8");
  const block = new RegExp(`<!-- e2e:${marker} -->\\n+\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\`\\n`).exec(readme)?.[1];
  if (!block) throw new Error(`README.md has no fenced block right after <!-- e2e:${marker} -->`);
  return block;
}

/** Every placeholder must still be in the snippet: otherwise the test would quietly run something the README no longer says. */
function substitute(snippet: string, replacements: [from: string, to: string][]): string {
  return replacements.reduce((text, [from, to]) => {
    if (!text.includes(from))
      throw new Error(`The README's ${kind} snippet no longer contains "${from}"; update start-proxy.ts with it`);
    return text.replaceAll(from, to);
  }, snippet);
}

// The placeholders are the ones an operator changes too: names, ports and paths. Behind the scale
// stack nginx passes to the upstream instead, so its server block names no app port.
const sitePlaceholders = (proxy: ProxyStack): [string, string][] => [
  ["sms.example.com", PUBLIC_HOST],
  ...(scale
    ? [["proxy_pass http://127.0.0.1:3000;", "proxy_pass http://birdline;"] as [string, string]]
    : [["127.0.0.1:3000", `127.0.0.1:${proxy.appPort}`] as [string, string]]),
];

/** The README's upstream over two instances, on this run's ports. */
const upstream = () =>
  scale
    ? substitute(readmeSnippet("nginx-scale"), [
        ["127.0.0.1:3000", `127.0.0.1:${SCALE_STACK.appPorts[0]}`],
        ["127.0.0.1:3001", `127.0.0.1:${SCALE_STACK.appPorts[1]}`],
      ])
    : "";

type Launch = { args: string[]; env?: NodeJS.ProcessEnv };

function nginx(dir: string): Launch {
  const certificate = path.join(dir, "cert.pem");
  const key = path.join(dir, "key.pem");
  const selfSigned = "req -x509 -newkey rsa:2048 -nodes -days 1".split(" ");
  const subject = ["-subj", `/CN=${PUBLIC_HOST}`, "-addext", `subjectAltName=DNS:${PUBLIC_HOST}`];
  // Quiet unless it fails: openssl draws progress dots on stderr, and the thrown error carries stderr.
  const quiet: ExecFileSyncOptions = { stdio: ["ignore", "ignore", "pipe"] };
  execFileSync("openssl", [...selfSigned, ...subject, "-keyout", key, "-out", certificate], quiet);
  const site = substitute(readmeSnippet(), [
    // Before the host name, which the certificate paths contain.
    ["/etc/letsencrypt/live/sms.example.com/fullchain.pem", certificate],
    ["/etc/letsencrypt/live/sms.example.com/privkey.pem", key],
    ["/var/log/nginx/birdline.access.log", stack.accessLog],
    ["listen 443 ", `listen ${stack.proxyPort} `],
    ...sitePlaceholders(stack),
  ]);
  // Not the packaged service: pid, logs and temp files stay in this directory.
  const config = `pid ${dir}/nginx.pid;
error_log stderr warn;
events {}
http {
    client_body_temp_path ${dir}/client_body;
    proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi;
    uwsgi_temp_path ${dir}/uwsgi;
    scgi_temp_path ${dir}/scgi;

${upstream()}
${site}
}
`;
  writeFileSync(path.join(dir, "nginx.conf"), config);
  // -e: nginx opens its error log before reading the config, and the packaged one is not ours.
  return { args: ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", "stderr", "-g", "daemon off;"] };
}

/** The README's Caddyfile opens with its global options; the test's own options join them in the one block Caddy allows. */
function caddyGlobalOptions(snippet: string): [options: string, rest: string] {
  const block = /^\{\n([\s\S]*?)\n\}\n/.exec(snippet);
  if (!block) throw new Error("The README's caddy snippet no longer opens with a global options block");
  return [block[1]!, snippet.slice(block[0].length)];
}

function caddy(dir: string): Launch {
  const [options, snippet] = caddyGlobalOptions(readmeSnippet());
  const site = substitute(snippet, [
    ["/var/log/caddy/birdline.access.log", stack.accessLog],
    ...sitePlaceholders(stack),
  ]);
  // Not the packaged service: no admin endpoint, certificates from Caddy's own CA, high ports.
  // Its own log goes to a file: every closed event stream is an error line there. Failures to start still reach stderr.
  const config = `{
	admin off
	local_certs
	skip_install_trust
	ocsp_stapling off
	http_port ${caddyHttpPort(stack)}
	https_port ${stack.proxyPort}
	log {
		output file ${dir}/caddy.log
	}
${options}
}

${site}
`;
  writeFileSync(path.join(dir, "Caddyfile"), config);
  return {
    args: ["run", "--config", path.join(dir, "Caddyfile"), "--adapter", "caddyfile"],
    // Caddy keeps its CA, certificates and an autosaved config under these: here, not in the user's home.
    env: { ...process.env, XDG_DATA_HOME: dir, XDG_CONFIG_HOME: dir },
  };
}

/** A request as the browser would send it: SNI and Host name the public site, whatever the certificate. */
const healthy = () =>
  new Promise<boolean>((resolve) => {
    const request = https.get(
      {
        host: "127.0.0.1",
        port: stack.proxyPort,
        servername: PUBLIC_HOST,
        headers: { host: `${PUBLIC_HOST}:${stack.proxyPort}` },
        path: "/healthz",
        rejectUnauthorized: false,
        timeout: 2_000,
      },
      (response) => {
        response.resume();
        resolve(response.statusCode === 200);
      },
    );
    request.on("error", () => resolve(false));
    request.on("timeout", () => request.destroy());
  });

rmSync(stack.workDir, { recursive: true, force: true });
mkdirSync(stack.workDir, { recursive: true });
const { args, env } = (kind === "nginx" ? nginx : caddy)(stack.workDir);
const child = spawn(binary, args, { stdio: "inherit", env });
child.on("exit", (code, signal) => {
  console.error(`${process.argv[2]} exited (${signal ?? code})`);
  process.exit(code || 1);
});
while (!(await healthy())) await new Promise((resolve) => setTimeout(resolve, 250));
console.log(`${process.argv[2]} ready: ${stack.origin} → http://127.0.0.1:${stack.appPort}`);
