import { describe, expect, test } from "vitest";
import { addressKind, addressRefusal } from "~/.server/outgoing-webhooks/address-guard";

const DEPLOYED = { allowPrivate: false, allowLoopback: false, requireHttps: true };

describe("which addresses outgoing webhooks may reach", () => {
  test.each([
    ["93.184.216.34", "public"],
    ["2606:2800:220:1:248:1893:25c8:1946", "public"],
    ["127.0.0.1", "loopback"],
    ["127.8.9.10", "loopback"],
    ["::1", "loopback"],
    ["::ffff:127.0.0.1", "loopback"],
    ["10.0.0.1", "private"],
    ["172.16.5.4", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "private"],
    ["100.64.0.1", "private"],
    ["0.0.0.0", "private"],
    ["224.0.0.251", "private"],
    ["255.255.255.255", "private"],
    ["::", "private"],
    ["fe80::1", "private"],
    ["fd12:3456::1", "private"],
    ["ff02::1", "private"],
    ["::ffff:169.254.169.254", "private"],
    ["::ffff:a9fe:a9fe", "private"],
    ["64:ff9b::a9fe:a9fe", "private"],
    ["64:ff9b::5db8:d822", "public"],
    ["2002:a9fe:a9fe::1", "private"],
  ])("%s is %s", (address, kind) => {
    expect(addressKind(address)).toBe(kind);
  });

  test("WEBHOOK_ALLOW_PRIVATE allows every address; local mode only this machine", () => {
    expect(addressRefusal("10.0.0.1", DEPLOYED)).toMatch(/private or reserved network/);
    expect(addressRefusal("10.0.0.1", { ...DEPLOYED, allowPrivate: true, allowLoopback: true })).toBeNull();
    expect(addressRefusal("::1", { ...DEPLOYED, allowLoopback: true })).toBeNull();
    expect(addressRefusal("10.0.0.1", { ...DEPLOYED, allowLoopback: true })).toMatch(/WEBHOOK_ALLOW_PRIVATE=1/);
    expect(addressRefusal("93.184.216.34", DEPLOYED)).toBeNull();
  });
});
