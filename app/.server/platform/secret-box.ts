import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { env } from "./env";

/**
 * Secrets we must keep but never show (a provider's webhook secret), sealed
 * with AES-256-GCM under a key derived from AUTH_SECRET: a database dump alone
 * does not reveal them. Changing AUTH_SECRET makes them unreadable, which
 * `open` reports as null (register again).
 */

const VERSION = "v1";
const key = (secret: string) =>
  Buffer.from(hkdfSync("sha256", secret, "birdline", "secret-box v1: provider secrets at rest", 32));

export function seal(plaintext: string, secret = env.authSecret): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key(secret), iv);
  const data = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), data]
    .map((part) => (typeof part === "string" ? part : part.toString("base64url")))
    .join(".");
}

export function open(sealed: string, secret = env.authSecret): string | null {
  const [version, iv, tag, data] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || data === undefined) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", key(secret), Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}
