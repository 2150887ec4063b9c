import type { IncomingMessage } from "node:http";
import { BlockList, isIP } from "node:net";

export type Origin = { clientIp: string; protocol: "http:" | "https:"; host: string | undefined };

/** Answers "is this socket peer one of our reverse proxies?" for TRUST_PROXY's addresses and ranges. */
export function proxyMatcher(entries: readonly string[]): (address: string | undefined) => boolean {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of entries) {
    const [address, prefix] = entry.split("/") as [string, string | undefined];
    const type = isIP(address) === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return (address) => {
    if (!address) return false;
    // An IPv4 client on a dual-stack socket shows up as ::ffff:a.b.c.d.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
    return mapped ? list.check(mapped, "ipv4") : list.check(address, isIP(address) === 6 ? "ipv6" : "ipv4");
  };
}

const first = (value: string | string[] | undefined) =>
  (Array.isArray(value) ? value[0] : value)?.split(",")[0]?.trim();

/**
 * Who sent the request and which URL they used. Forwarded headers count only
 * when the peer is a trusted proxy; then the client address is the rightmost
 * X-Forwarded-For entry (the one our proxy appended: earlier ones are the
 * client's to invent), and scheme and host are the ones the browser used, so
 * same-origin form posts match the Origin header.
 */
export function originOf(req: IncomingMessage, isTrustedProxy: (address: string | undefined) => boolean): Origin {
  const peer = req.socket.remoteAddress ?? "unknown";
  const direct: Origin = { clientIp: peer, protocol: "http:", host: req.headers.host };
  if (!isTrustedProxy(req.socket.remoteAddress)) return direct;
  const forwardedFor = req.headers["x-forwarded-for"];
  const clientIp = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)?.split(",").at(-1)?.trim();
  const protocol = first(req.headers["x-forwarded-proto"])?.toLowerCase();
  return {
    clientIp: clientIp || peer,
    protocol: protocol === "https" ? "https:" : "http:",
    host: first(req.headers["x-forwarded-host"]) || req.headers.host,
  };
}
