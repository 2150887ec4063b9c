import { createECDH, createPublicKey, randomBytes, randomUUID, verify } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import ece from "http_ece";

/**
 * A push service on https://localhost with a self-signed certificate, as a
 * browser vendor's would be: the app must be started trusting `certificate`
 * (NODE_EXTRA_CA_CERTS) and allowed to post here (PUSH_ALLOWED_HOSTS=localhost).
 * Each `browser()` is a subscription with keys of its own, so the pushes sent
 * to it can be decrypted exactly as that browser would.
 */
export type ReceivedPush = {
  subscription: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
};

/** A self-signed certificate for https://localhost in `dir`, made with openssl. */
export function makeCertificate(dir: string) {
  const files = { key: path.join(dir, "key.pem"), certificate: path.join(dir, "cert.pem") };
  execFileSync(
    "openssl",
    [
      ..."req -x509 -newkey rsa:2048 -nodes -days 2".split(" "),
      ...["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
      ...["-keyout", files.key, "-out", files.certificate],
    ],
    // Quiet unless it fails: openssl draws progress dots on stderr, and the thrown error carries stderr.
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  return files;
}

/** With `files`, serves with that certificate (one the app under test already trusts); else makes one. */
export async function startPushService(files?: { key: string; certificate: string }) {
  const dir = files ? null : mkdtempSync(path.join(tmpdir(), "birdline-push-"));
  const { key, certificate } = files ?? makeCertificate(dir!);
  const received: ReceivedPush[] = [];
  /** What to answer next, per subscription: a queue of statuses, 201 once it is empty. */
  const answers = new Map<string, number[]>();
  const server = https.createServer({ key: readFileSync(key), cert: readFileSync(certificate) }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const subscription = req.url!.split("/").pop()!;
      received.push({ subscription, headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(answers.get(subscription)?.shift() ?? 201).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `https://localhost:${(server.address() as AddressInfo).port}`;

  return {
    certificate,
    origin,
    received,
    /** A browser's subscription: what it posts to /push/subscriptions, and how it reads what arrives. */
    browser() {
      const id = randomUUID();
      const keys = createECDH("prime256v1");
      keys.generateKeys();
      const auth = randomBytes(16);
      const endpoint = `${origin}/push/${id}`;
      return {
        id,
        subscription: {
          endpoint,
          keys: { p256dh: keys.getPublicKey("base64url"), auth: auth.toString("base64url") },
        },
        /** The next answers the service gives this subscription (then 201). */
        answer: (...statuses: number[]) => answers.set(id, statuses),
        pushes: () => received.filter((push) => push.subscription === id),
        decrypt: (push: ReceivedPush) =>
          JSON.parse(
            ece.decrypt(push.body, { version: "aes128gcm", privateKey: keys, authSecret: auth }).toString("utf8"),
          ) as Record<string, unknown>,
      };
    },
    stop() {
      server.closeAllConnections();
      server.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The VAPID claims of a push's `Authorization: vapid t=…, k=…` header, once its
 * ES256 signature checks out against the key `k` it names (RFC 8292).
 */
export function verifiedVapid(authorization: string | undefined): { key: string; claims: Record<string, unknown> } {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(authorization ?? "");
  if (!match) throw new Error(`not a VAPID Authorization header: ${authorization}`);
  const [, token, key] = match as unknown as [string, string, string];
  const [header, payload, signature] = token.split(".") as [string, string, string];
  const point = Buffer.from(key, "base64url");
  const publicKey = createPublicKey({
    key: {
      kty: "EC",
      crv: "P-256",
      x: point.subarray(1, 33).toString("base64url"),
      y: point.subarray(33, 65).toString("base64url"),
    },
    format: "jwk",
  });
  const signed = verify(
    "sha256",
    Buffer.from(`${header}.${payload}`),
    { key: publicKey, dsaEncoding: "ieee-p1363" },
    Buffer.from(signature, "base64url"),
  );
  if (!signed) throw new Error("the VAPID token's signature does not verify");
  return { key, claims: JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<string, unknown> };
}
