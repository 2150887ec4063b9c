import type { AddressInfo } from "node:net";
import { env } from "./env";

let internal: URL | undefined;

/**
 * The app calling itself (the simulator's handset and delivery reports) goes over
 * loopback to the port it listens on, not through APP_URL: behind a proxy with a
 * private CA, or a public name this machine cannot resolve, that round trip fails.
 */
export function setInternalOrigin(address: AddressInfo) {
  const wildcard = address.address === "0.0.0.0" || address.address === "::";
  const host = wildcard ? "127.0.0.1" : address.family === "IPv6" ? `[${address.address}]` : address.address;
  internal = new URL(`http://${host}:${address.port}`);
}

/** A URL on this server for its own requests; APP_URL until the server listens (tests calling domain code directly). */
export function internalUrl(path: string): URL {
  return new URL(path, internal ?? env.appUrl.origin);
}
