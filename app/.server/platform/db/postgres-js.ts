import net from "node:net";
import postgres from "postgres";
import { isConnectionLoss } from "./connection-loss";

/*
 * postgres.js 3.4.9 mishandles connections lost while in use, which is every
 * connection when Postgres restarts or fails over
 * (https://github.com/porsager/postgres/issues/1208). What only the driver
 * can fix is patched (patches/postgres+3.4.9.patch: a lost connection's
 * statement state is reset in `closed()`); each workaround below names the
 * driver code it works around (node_modules/postgres/src, the build Node
 * loads), so it can go once a release fixes that code.
 */

/**
 * Options for every postgres.js client the app opens.
 *
 * `fetch_types` is off because postgres.js runs that lookup on every new
 * connection without handling its failure (src/connection.js
 * `fetchArrayTypes`): a connection lost while connecting ended the process.
 * Drizzle parses its own array columns.
 *
 * `backoff` (seconds before a connection reconnects, by failed attempts in a
 * row) is capped at one second. postgres.js's own grows to 20 seconds
 * (src/index.js `backoff`), and a statement handed to a reconnecting
 * connection waits all of it, even with other connections free: after a
 * failover requests stalled for many seconds with the database back.
 */
export function clientOptions(options: { max: number; connect_timeout?: number; max_lifetime?: number | null }) {
  return {
    ...options,
    onnotice: () => {},
    fetch_types: false,
    socket: openSocket,
    backoff: (attempts: number) => Math.min(0.05 * 2 ** attempts, 1),
  };
}

/**
 * The server ends a connection right after a FATAL error, and a statement
 * whose connection ends in flight fails with CONNECTION_CLOSED, so a statement
 * failed with a FATAL error was never sent: it waited for a connection that
 * failed while connecting ("the database system is starting up", a backend
 * killed during startup). Statements that failed so can safely be sent again.
 */
function neverSent(error: unknown): boolean {
  return error instanceof postgres.PostgresError && error.severity === "FATAL";
}

/** postgres.js internals of a statement (src/query.js), used only to send it again. */
type QueryInternals = { reject(error: unknown): void; handler(query: unknown): void };

/** The statement, sent again once if postgres.js failed it without sending it. */
export function rerunIfNeverSent<Query extends PromiseLike<unknown>>(query: Query): Query {
  const internals = query as unknown as QueryInternals;
  const reject = internals.reject;
  internals.reject = (error) => {
    internals.reject = reject;
    // Out of the driver's handling of the old connection's error before queueing it again.
    if (neverSent(error)) queueMicrotask(() => internals.handler(query));
    else reject(error);
  };
  return query;
}

/**
 * A TCP socket as postgres.js opens one itself, except that an established
 * connection always closes "without error". On a close with an error,
 * postgres.js rejects only the statements queued before the socket's 'error'
 * event (src/connection.js: `closed` calls `error()` only `!hadError`); one
 * queued between 'error' and 'close', as under load after a reset, stayed
 * pending forever, and the connection's next life waited for its answer.
 * A failed connect keeps its error: postgres.js backs off on those.
 * With TLS postgres.js wraps this socket and listens to the TLS socket, so
 * there its own handling applies.
 */
class CleanCloseSocket extends net.Socket {
  #established = false;

  constructor() {
    super();
    this.once("connect", () => (this.#established = true));
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    return event === "close" && this.#established ? super.emit("close", false) : super.emit(event, ...args);
  }
}

let nextHost = 0;

function openSocket({ host, port, path }: { host: string[]; port: number[]; path: string | false }) {
  const socket = new CleanCloseSocket();
  // Rotates through a multi-host URL's servers, as postgres.js does.
  const index = nextHost++ % host.length;
  if (path) socket.connect(path);
  else socket.connect(port[index]!, host[index]!);
  // postgres.js names the server by these in its errors and TLS handshake.
  return Object.assign(socket, { host: host[index], port: port[index] });
}

// The close follows a lost connection's error within milliseconds; this only
// bounds the wait when an error was taken for a loss but the connection lives.
const CLOSE_WAIT_MS = 5_000;

type TransactionCallback = (tx: postgres.TransactionSql) => unknown;

/**
 * The client drizzle gets: statements sent again as above, and a begin() that
 * survives losing the transaction's connection.
 *
 * When a transaction's callback fails, postgres.js's begin() writes ROLLBACK
 * to its connection (src/index.js, the catch in `scope`). If the failure was
 * the connection closing, `closed` has already set that connection's socket
 * to null (src/connection.js), and the write throws from a setImmediate
 * (`nextWrite`) where nothing can catch it: the process exits.
 *
 * So a callback that failed because its connection was lost never returns to
 * begin(): it waits for the close, which rejects begin() by itself (begin()
 * races the callback against the connection's close), then stays pending, and
 * no ROLLBACK is written. Postgres rolls back a dead connection's transaction.
 * Savepoints (nested transactions) are not covered: the app uses none.
 */
export function survivableClient(client: postgres.Sql): postgres.Sql {
  function unsafe(...args: Parameters<postgres.Sql["unsafe"]>) {
    return rerunIfNeverSent(client.unsafe(...args));
  }

  function begin(...args: [TransactionCallback] | [string, TransactionCallback]) {
    const [options, callback] = args.length === 1 ? [undefined, args[0]] : args;
    let started = false;
    let settled!: () => void;
    // Awaited only while the callback is pending, when begin() settling means the connection closed.
    const closed = new Promise<true>((resolve) => (settled = () => resolve(true)));
    const guarded = async (tx: postgres.TransactionSql) => {
      started = true;
      try {
        return await callback(tx);
      } catch (error) {
        if (isConnectionLoss(error) && (await closesWithin(closed, CLOSE_WAIT_MS))) return new Promise<never>(() => {});
        throw error;
      }
    };
    const attempt = () => (options === undefined ? client.begin(guarded) : client.begin(options, guarded));
    // BEGIN itself goes through the driver's own statements, out of rerunIfNeverSent's reach.
    const transaction = attempt().catch((error: unknown) =>
      !started && neverSent(error) ? attempt() : Promise.reject(error),
    );
    transaction.then(settled, settled);
    return transaction;
  }

  return new Proxy(client, {
    get: (target, key, receiver) =>
      key === "begin" ? begin : key === "unsafe" ? unsafe : Reflect.get(target, key, receiver),
  });
}

function closesWithin(closed: Promise<true>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(resolve, ms, false)));
  return Promise.race([closed, timeout]).finally(() => clearTimeout(timer));
}

// A LISTEN that failed is tried again after this long, until it holds.
const LISTEN_RETRY_MS = 250;

type Channel = { onMessage(payload: string): void; onReconnect?: () => void };

/**
 * LISTEN on a connection of its own, kept listening here rather than by
 * postgres.js's listen(): when its connection drops, that one sends LISTEN
 * once more and ignores a failure (src/index.js, the `onclose` in `listen`),
 * after which the app stayed deaf to NOTIFY until the connection next dropped.
 */
export function openListener(url: string) {
  const channels = new Map<string, Channel>();
  let drops = 0;
  let restoring: Promise<void> | undefined;
  let ending = false;
  const options = {
    // A planned reconnect would make every open page resync for nothing.
    ...clientOptions({ max: 1, max_lifetime: null }),
    // Missing from postgres.js's types, but the option its own listen() is built on (src/index.js).
    onnotify: (channel: string, payload: string) => channels.get(channel)?.onMessage(payload),
    onclose: () => {
      drops++;
      if (!ending && channels.size > 0) restoring ??= restore().finally(() => (restoring = undefined));
    },
  };
  const sql = postgres(url, options);
  const listen = (channel: string) => rerunIfNeverSent(sql`listen ${sql(channel)}`);

  // Until LISTEN holds for every channel on a connection that has not dropped since.
  async function restore() {
    for (;;) {
      const dropsBefore = drops;
      try {
        for (const channel of channels.keys()) await listen(channel);
        if (drops === dropsBefore) break;
      } catch {
        if (ending) return;
        await new Promise((resolve) => setTimeout(resolve, LISTEN_RETRY_MS));
      }
    }
    for (const { onReconnect } of channels.values()) onReconnect?.();
  }

  return {
    /** Resolves once listening; `onReconnect` fires each time listening resumes after the connection dropped. */
    async listen(channel: string, onMessage: (payload: string) => void, onReconnect?: () => void) {
      channels.set(channel, { onMessage, onReconnect });
      try {
        await listen(channel);
      } catch (error) {
        channels.delete(channel);
        throw error;
      }
      return async () => {
        channels.delete(channel);
        await sql`unlisten ${sql(channel)}`;
      };
    },
    close() {
      ending = true;
      return sql.end({ timeout: 5 });
    },
  };
}
