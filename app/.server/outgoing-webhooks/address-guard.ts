import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP, isIPv4, type LookupFunction } from "node:net";
import { env } from "../platform/env";

/**
 * Where outgoing webhooks may post: public addresses only, unless WEBHOOK_ALLOW_PRIVATE=1
 * (local mode allows this machine). A URL is checked when it is saved, for a field error, and
 * again on every attempt after DNS has answered: the connection goes to the very address that
 * was checked (`guardedLookup`), so a name that resolves to a public address at save time and to
 * 169.254.169.254 later (DNS rebinding) is refused all the same.
 */

export type AddressPolicy = { allowPrivate: boolean; allowLoopback: boolean; requireHttps: boolean };

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

// Every range IANA marks as not globally reachable, plus multicast and the reserved ones.
const nonPublic = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // carrier-grade NAT
  ["169.254.0.0", 16], // link-local, where cloud metadata services live
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.88.99.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, and the broadcast address
] as const)
  nonPublic.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of [
  ["::", 96], // unspecified and IPv4-compatible
  ["100::", 64], // discard
  ["2001::", 23], // protocol assignments, Teredo among them
  ["2001:db8::", 32], // documentation
  ["2002::", 16], // 6to4, which would reach any IPv4 address
  ["fc00::", 7], // unique local
  ["fe80::", 10], // link-local
  ["fec0::", 10], // site-local
  ["ff00::", 8], // multicast
] as const)
  nonPublic.addSubnet(network, prefix, "ipv6");

/** The eight 16-bit groups of an IPv6 address, whatever its spelling (`::`, a dotted IPv4 tail). */
function groupsOf(ipv6: string): number[] {
  // The URL parser writes the address out in its canonical form: hex groups only.
  const canonical = new URL(`http://[${ipv6}]/`).hostname.slice(1, -1);
  const [head = "", tail] = canonical.split("::");
  const parse = (part: string) => (part ? part.split(":").map((group) => parseInt(group, 16)) : []);
  const [left, right] = [parse(head), parse(tail ?? "")];
  return tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** An IPv4 address carried inside an IPv6 one (IPv4-mapped, or NAT64's well-known prefix): judged as itself. */
function embeddedIPv4(ipv6: string): string | null {
  const groups = groupsOf(ipv6);
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0);
  if (!mapped && !nat64) return null;
  const [high = 0, low = 0] = groups.slice(6);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join(".");
}

export type AddressKind = "public" | "loopback" | "private";

export function addressKind(address: string): AddressKind {
  const ip = isIPv4(address) ? address : (embeddedIPv4(address) ?? address);
  const family = isIPv4(ip) ? "ipv4" : "ipv6";
  if (loopback.check(ip, family)) return "loopback";
  return nonPublic.check(ip, family) ? "private" : "public";
}

const ALLOW_HINT = "Birdline posts only to public addresses; WEBHOOK_ALLOW_PRIVATE=1 allows others.";

/** Why the policy refuses this address, or null when it may be posted to. */
export function addressRefusal(address: string, policy: AddressPolicy): string | null {
  const kind = addressKind(address);
  if (kind === "public" || policy.allowPrivate || (kind === "loopback" && policy.allowLoopback)) return null;
  const what = kind === "loopback" ? "this machine" : "a private or reserved network";
  return `${address} is ${what}. ${ALLOW_HINT}`;
}

/** A refused address, told apart from the network's own errors. */
export class RefusedAddress extends Error {
  readonly code = "ERR_WEBHOOK_ADDRESS_REFUSED";
}

const unbracketed = (hostname: string) => hostname.replace(/^\[(.*)\]$/, "$1");

/**
 * A `lookup` for node:http(s) and node:net: resolves every address of the name, refuses them all
 * if any is refused (a name that mixes a public and a private address is an attack, not a
 * mistake), and hands the connection the addresses it checked.
 */
export function guardedLookup(policy: AddressPolicy = env.outgoingWebhooks): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, []);
      const refused = addresses.map(({ address }) => addressRefusal(address, policy)).find(Boolean);
      if (refused) return callback(new RefusedAddress(`${hostname} resolves to ${refused}`), []);
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      callback(null, first!.address, first!.family);
    });
  };
}

/** Resolves a guarded lookup to its addresses: the same check a delivery makes, for the save form. */
function resolveChecked(hostname: string, policy: AddressPolicy): Promise<string | null> {
  return new Promise((resolve) => {
    guardedLookup(policy)(hostname, { all: true }, (error) => {
      if (error instanceof RefusedAddress) resolve(error.message);
      else if (error) resolve(`${hostname} could not be found (DNS): check the spelling.`);
      else resolve(null);
    });
  });
}

/**
 * What can be told without DNS: the scheme, and a literal address (which node:net connects to
 * without asking any lookup). Every delivery checks this before it connects.
 */
export function urlRefusal(url: URL, policy: AddressPolicy = env.outgoingWebhooks): string | null {
  if (policy.requireHttps && url.protocol !== "https:")
    return "Use an https:// address: events carry your contacts’ messages across the internet.";
  const host = unbracketed(url.hostname);
  return isIP(host) ? addressRefusal(host, policy) : null;
}

/** Why a webhook URL cannot be saved (scheme, address), or null: the save form's field error. */
export async function destinationRefusal(
  url: string,
  policy: AddressPolicy = env.outgoingWebhooks,
): Promise<string | null> {
  const parsed = new URL(url);
  const host = unbracketed(parsed.hostname);
  return urlRefusal(parsed, policy) ?? (isIP(host) ? null : resolveChecked(host, policy));
}
