import net from "node:net";
import { afterAll, expect, test, vi } from "vitest";

/**
 * The database goes away for a few seconds (a restart, a failover), not just
 * one connection: the app talks to Postgres through a proxy this test can cut.
 */
const postgresUrl = process.env.DATABASE_URL;
const sockets = new Set<net.Socket>();
let reachable = true;
const proxy = net.createServer((client) => {
  if (!reachable || !postgresUrl) return client.destroy();
  const { hostname, port } = new URL(postgresUrl);
  const server = net.connect(Number(port || 5432), hostname);
  for (const [from, to] of [
    [client, server],
    [server, client],
  ] as const) {
    sockets.add(from);
    from.pipe(to);
    from.on("error", () => {});
    from.on("close", () => {
      sockets.delete(from);
      to.destroy();
    });
  }
});
await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
if (postgresUrl) {
  const proxied = new URL(postgresUrl);
  proxied.host = `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
  process.env.DATABASE_URL = proxied.toString();
}
// Not awaited: the app's connections through the proxy close only when the setup closes the database, after this.
afterAll(() => void proxy.close());

test.runIf(!!postgresUrl)(
  "after the database was unreachable for seconds, events flow again and subscribers are told to resync",
  async () => {
    const { subscribe } = await import("~/.server/platform/event-bus");
    const { receiveInbound } = await import("~/.server/conversations/inbound");
    const heard: string[] = [];
    const stop = await subscribe((message) => {
      heard.push(message.type === "resync" ? "resync" : message.events.map((e) => e.messageId).join());
    });
    try {
      reachable = false;
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      reachable = true;
      await vi.waitFor(() => expect(heard).toContain("resync"), { timeout: 10_000 });
      const received = await receiveInbound({ from: "+31612340004", to: "+447700900000", body: "back again" });
      if (received.status !== "stored") throw new Error("expected a stored message");
      await vi.waitFor(() => expect(heard).toContain(received.id), { timeout: 5_000 });
    } finally {
      stop();
    }
  },
);
