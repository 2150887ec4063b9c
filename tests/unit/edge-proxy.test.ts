import type { IncomingMessage } from "node:http";
import { describe, expect, test } from "vitest";
import { originOf, proxyMatcher } from "~/.server/platform/edge/proxy";

const request = (remoteAddress: string, headers: Record<string, string>) =>
  ({ socket: { remoteAddress }, headers: { host: "10.0.0.5:3000", ...headers } }) as unknown as IncomingMessage;

describe("trusting a reverse proxy", () => {
  const trusted = proxyMatcher(["127.0.0.1", "10.0.0.0/8", "fd00::/8"]);

  test("matches listed addresses and ranges, IPv4 clients on dual-stack sockets included", () => {
    expect(trusted("127.0.0.1")).toBe(true);
    expect(trusted("::ffff:10.1.2.3")).toBe(true);
    expect(trusted("fd00::1")).toBe(true);
    expect(trusted("192.0.2.1")).toBe(false);
    expect(trusted(undefined)).toBe(false);
    expect(proxyMatcher([])("127.0.0.1")).toBe(false);
  });

  test("from the proxy: the rightmost X-Forwarded-For, and the scheme and host the browser used", () => {
    const forwarded = {
      "x-forwarded-for": "6.6.6.6, 198.51.100.7",
      "x-forwarded-proto": "https",
      "x-forwarded-host": "sms.example.com",
    };
    expect(originOf(request("10.0.0.9", forwarded), trusted)).toEqual({
      clientIp: "198.51.100.7",
      protocol: "https:",
      host: "sms.example.com",
    });
  });

  test("from anyone else: the socket's address and the Host header, whatever they claim", () => {
    const forwarded = {
      "x-forwarded-for": "198.51.100.7",
      "x-forwarded-proto": "https",
      "x-forwarded-host": "sms.example.com",
    };
    expect(originOf(request("192.0.2.1", forwarded), trusted)).toEqual({
      clientIp: "192.0.2.1",
      protocol: "http:",
      host: "10.0.0.5:3000",
    });
  });
});
