import { eq } from "drizzle-orm";
import postgres from "postgres";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { database, db } from "~/.server/platform/db/client";
import { conversations, messages, users } from "~/.server/platform/db/schema";
import { EVENTS_CHANNEL, type BusMessage, type InboxEvent } from "~/.server/platform/event-bus";
import { receiveInbound } from "~/.server/conversations/inbound";
import { assign, reopen, resolve } from "~/.server/conversations/assignment";
import { subscribeAsViewer, viewerCount } from "~/.server/conversations/live-feed";
import { endAllSessions, signOut } from "~/.server/identity/session";
import { loader } from "~/routes/events";
import { readEventStream } from "../support/event-stream";
import { createUser } from "../support/factories";
import { routeArgs } from "../support/route-call";

const SERVICE = "+447700900000";
const ADA = "+31612340001";
const BOB = "+31612340002";
const STRANGER = "+31612340003";

const inbound = async (from: string, body = "hello") => {
  const received = await receiveInbound({ from, to: SERVICE, body });
  if (received.status !== "stored") throw new Error("expected a stored message");
  return received;
};

const aborts: AbortController[] = [];

/** GET /events the way the HTTP layer calls it: the request's signal aborts when the client goes away. */
async function requestEvents(cookie?: string) {
  const abort = new AbortController();
  aborts.push(abort);
  const request = new Request("http://localhost:3000/events", {
    headers: cookie ? { cookie } : {},
    signal: abort.signal,
  });
  const response = await loader(routeArgs({ request }));
  return { response, close: () => abort.abort() };
}

type Stream = ReturnType<typeof readEventStream> & Awaited<ReturnType<typeof requestEvents>>;

async function openEvents(cookie: string): Promise<Stream> {
  const opened = await requestEvents(cookie);
  return Object.assign(readEventStream(opened.response.body!), opened);
}

const inboxEvents = (stream: Stream) =>
  stream
    .events()
    .filter((e) => e.event === "inbox")
    .map((e) => JSON.parse(e.data) as InboxEvent);

beforeEach(async () => {
  await db.delete(messages);
  await db.delete(conversations);
  await db.delete(users);
});
afterEach(() => {
  for (const abort of aborts.splice(0)) abort.abort();
  vi.useRealTimers();
});

describe("who hears what", () => {
  test("a member hears about their own conversation only; an agent hears about every one", async () => {
    const ada = await createUser({ phone: ADA });
    const agent = await createUser({ role: "agent" });
    const heard = { ada: [] as InboxEvent[], agent: [] as InboxEvent[] };
    const stops = await Promise.all([
      subscribeAsViewer(ada.id, { onEvents: (events) => heard.ada.push(...events), onResync: () => {} }),
      subscribeAsViewer(agent.id, { onEvents: (events) => heard.agent.push(...events), onResync: () => {} }),
    ]);
    try {
      const [own, others, unclaimed] = await Promise.all([inbound(ADA), inbound(BOB), inbound(STRANGER)]);
      await vi.waitFor(() => expect(heard.agent).toHaveLength(3));
      expect(heard.agent.map((e) => e.messageId).sort()).toEqual([own.id, others.id, unclaimed.id].sort());
      expect(heard.ada).toEqual([{ kind: "message", conversationId: own.conversationId, messageId: own.id }]);
    } finally {
      for (const stop of stops) stop();
    }
  });

  test("the team hears who handles a conversation change (assigned, resolved, reopened); its member does not", async () => {
    const ada = await createUser({ phone: ADA });
    const agent = await createUser({ role: "agent" });
    const colleague = await createUser({ role: "agent" });
    const own = await inbound(ADA);
    const heard = { ada: [] as InboxEvent[], colleague: [] as InboxEvent[] };
    const stops = await Promise.all([
      subscribeAsViewer(ada.id, { onEvents: (events) => heard.ada.push(...events), onResync: () => {} }),
      subscribeAsViewer(colleague.id, { onEvents: (events) => heard.colleague.push(...events), onResync: () => {} }),
    ]);
    try {
      expect(await assign(own.conversationId, agent.id, { actorUserId: agent.id })).toBe(true);
      await resolve(own.conversationId, { actorUserId: agent.id });
      await reopen(own.conversationId, { actorUserId: agent.id });
      const handling = () => heard.colleague.filter((event) => event.kind === "handling");
      await vi.waitFor(() => expect(handling()).toHaveLength(3));
      expect(handling().every((event) => event.conversationId === own.conversationId)).toBe(true);
      // A later SMS, which Ada does hear, shows nothing about handling came before it.
      const later = await inbound(ADA, "still there?");
      await vi.waitFor(() => expect(heard.ada.map((event) => event.messageId)).toContain(later.id));
      expect(heard.ada.filter((event) => event.kind === "handling")).toEqual([]);
    } finally {
      for (const stop of stops) stop();
    }
  });

  test("a burst of NOTIFYs reaches a viewer whole and in order, in fewer passes than NOTIFYs", async () => {
    const agent = await createUser({ role: "agent" });
    const passes: InboxEvent[][] = [];
    const stop = await subscribeAsViewer(agent.id, { onEvents: (events) => passes.push(events), onResync: () => {} });
    try {
      const conversation = await inbound(STRANGER);
      await vi.waitFor(() => expect(passes.flat().map((event) => event.messageId)).toContain(conversation.id));
      passes.length = 0;
      const burst = Array.from({ length: 20 }, () => ({
        kind: "message" as const,
        conversationId: conversation.conversationId,
        messageId: crypto.randomUUID(),
      }));
      // Pipelined on one connection, so in this order and back to back: most arrive while a lookup runs.
      const sender = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
      try {
        await Promise.all(
          burst.map((event) => sender`select pg_notify(${EVENTS_CHANNEL}, ${JSON.stringify([event])})`),
        );
      } finally {
        await sender.end();
      }
      await vi.waitFor(() => expect(passes.flat()).toHaveLength(burst.length));
      expect(passes.flat()).toEqual(burst);
      expect(passes.length).toBeLessThan(burst.length);
    } finally {
      stop();
    }
  });

  test("a member's /events stream never carries another member's conversation ids", async () => {
    const ada = await createUser({ phone: ADA });
    await createUser({ phone: BOB });
    const stream = await openEvents(ada.cookie);
    const foreign = await Promise.all([
      inbound(BOB, "for Bob"),
      inbound(STRANGER, "unclaimed"),
      inbound(BOB, "Bob again"),
    ]);
    const own = await inbound(ADA, "for Ada");
    await stream.until((text) => text.includes(own.id));

    expect(inboxEvents(stream)).toEqual([{ kind: "message", conversationId: own.conversationId, messageId: own.id }]);
    for (const { id, conversationId } of foreign) {
      expect(stream.text()).not.toContain(conversationId);
      expect(stream.text()).not.toContain(id);
    }
    expect(stream.text()).not.toContain("for Ada");
  });

  test("a conversation claimed after the stream opened reaches its new owner: ownership is read per event", async () => {
    const ada = await createUser();
    const earlier = await inbound(ADA, "before Ada verified");
    const stream = await openEvents(ada.cookie);
    // What phone verification does: the number becomes Ada's, and so does its conversation.
    await db.update(users).set({ phoneNumber: ADA }).where(eq(users.id, ada.id));
    await db.update(conversations).set({ userId: ada.id }).where(eq(conversations.id, earlier.conversationId));
    const later = await inbound(ADA, "after");
    await stream.until((text) => text.includes(later.id));
    expect(inboxEvents(stream)).toContainEqual({
      kind: "message",
      conversationId: earlier.conversationId,
      messageId: later.id,
    });
  });

  test("a member promoted to agent hears every conversation from the next event on", async () => {
    const ada = await createUser();
    const stream = await openEvents(ada.cookie);
    await db.update(users).set({ role: "agent" }).where(eq(users.id, ada.id));
    const unclaimed = await inbound(STRANGER);
    await stream.until((text) => text.includes(unclaimed.id));
  });
});

describe("the /events response", () => {
  test("anonymous requests get 401, not a redirect to the login page", async () => {
    const { response } = await requestEvents();
    expect(response).toHaveStatus(401);
    expect(response).not.toHaveRedirect();
  });

  test("is an unbuffered event stream that starts with a retry hint", async () => {
    const agent = await createUser({ role: "agent" });
    const stream = await openEvents(agent.cookie);
    expect(stream.response).toHaveStatus(200);
    expect(stream.response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    expect(stream.response.headers.get("cache-control")).toBe("no-cache");
    expect(stream.response.headers.get("x-accel-buffering")).toBe("no");
    expect(await stream.until((text) => text.includes("\n\n"))).toMatch(/^retry: \d+\n\n/);
  });

  test("sends a heartbeat comment every 25 seconds", async () => {
    vi.useFakeTimers({ toFake: ["setInterval"] });
    const agent = await createUser({ role: "agent" });
    const stream = await openEvents(agent.cookie);
    await stream.until((text) => text.startsWith("retry:"));
    vi.advanceTimersByTime(24_999);
    expect(stream.text()).not.toContain(": heartbeat");
    vi.advanceTimersByTime(1);
    await stream.until((text) => text.includes(": heartbeat\n\n"));
    expect(stream.events()).toEqual([]);
  });
});

describe("a stream outliving its session", () => {
  /** Opens a stream, ends its session with `end`, and lets the next heartbeat come. */
  async function openThenEnd(end: (user: Awaited<ReturnType<typeof createUser>>) => Promise<unknown>) {
    vi.useFakeTimers({ toFake: ["setInterval"] });
    const agent = await createUser({ role: "agent" });
    const stream = await openEvents(agent.cookie);
    await stream.until((text) => text.startsWith("retry:"));
    await end(agent);
    vi.advanceTimersByTime(25_000);
    await stream.until(() => stream.ended);
    expect(viewerCount()).toBe(0);
  }

  test("closes at the next heartbeat once that browser has signed out", () =>
    openThenEnd((agent) =>
      signOut(new Request("http://localhost:3000/logout", { headers: { cookie: agent.cookie } })),
    ));

  test("closes at the next heartbeat once every session of the account is ended", () =>
    openThenEnd((agent) => endAllSessions(agent.id)));

  test("closes at the next heartbeat once the account is deactivated", () =>
    openThenEnd((agent) => db.update(users).set({ deactivatedAt: new Date() }).where(eq(users.id, agent.id))));

  test("stays open while the session stands", async () => {
    vi.useFakeTimers({ toFake: ["setInterval"] });
    const agent = await createUser({ role: "agent" });
    const stream = await openEvents(agent.cookie);
    for (let beat = 1; beat <= 3; beat++) {
      vi.advanceTimersByTime(25_000);
      await stream.until((text) => text.split(": heartbeat").length > beat);
    }
    // The checks are database round trips: give them time to answer before looking.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stream.ended).toBe(false);
    expect(viewerCount()).toBe(1);
  });
});

describe("subscriptions", () => {
  test("closing 200 streams brings the viewer count back to zero", async () => {
    const agent = await createUser({ role: "agent" });
    expect(viewerCount()).toBe(0);
    const streams = await Promise.all(Array.from({ length: 200 }, () => openEvents(agent.cookie)));
    expect(viewerCount()).toBe(200);
    for (const stream of streams) stream.close();
    expect(viewerCount()).toBe(0);
  });

  test("a client that cancels the body also frees its subscription", async () => {
    const agent = await createUser({ role: "agent" });
    const { response } = await requestEvents(agent.cookie);
    expect(viewerCount()).toBe(1);
    await response.body!.cancel();
    expect(viewerCount()).toBe(0);
  });

  test("a malformed NOTIFY on the channel is ignored, and later events still arrive", async () => {
    const agent = await createUser({ role: "agent" });
    const stream = await openEvents(agent.cookie);
    await database.notify(EVENTS_CHANNEL, "not json");
    await database.notify(
      EVENTS_CHANNEL,
      JSON.stringify([{ kind: "message", conversationId: "x'; drop", messageId: "1" }]),
    );
    const message = await inbound(STRANGER);
    await stream.until((text) => text.includes(message.id));
    expect(inboxEvents(stream)).toHaveLength(1);
  });

  test("the listener recovers after its database connection is killed, and says events may have been missed", async () => {
    const agent = await createUser({ role: "agent" });
    const heard: BusMessage["type"][] = [];
    const events: InboxEvent[] = [];
    const stop = await subscribeAsViewer(agent.id, {
      onEvents: (batch) => {
        heard.push("events");
        events.push(...batch);
      },
      onResync: () => heard.push("resync"),
    });
    const admin = postgres(process.env.DATABASE_URL!, { max: 1, onnotice: () => {} });
    try {
      const killed = await admin`select pg_terminate_backend(pid) from pg_stat_activity
          where datname = current_database() and query ilike 'listen%' and pid <> pg_backend_pid()`;
      expect(killed.length).toBeGreaterThan(0);
      await vi.waitFor(() => expect(heard).toContain("resync"), { timeout: 10_000 });
      const message = await inbound(STRANGER);
      await vi.waitFor(() => expect(events.map((e) => e.messageId)).toContain(message.id), { timeout: 5_000 });
    } finally {
      stop();
      await admin.end();
    }
  });
});
