import { z } from "zod";
import { database } from "./db/client";
import { log } from "./log";

/**
 * The live-update bus over Postgres LISTEN/NOTIFY (docs/decisions/003-live-updates-over-listen-notify.md), shared
 * by every instance on one database.
 *
 * Publishing: callers publish after their transaction has committed: a NOTIFY
 * inside a write transaction takes a database-wide lock at commit and
 * serializes every writer. Bursts are coalesced into one NOTIFY, and payloads
 * carry ids only. Coalescing works like group commit: no timer, so a lone
 * event goes out at once; what is published while a NOTIFY is in flight goes
 * in the next one, so a busy process sends no more NOTIFYs than it has round
 * trips to spare.
 *
 * Subscribing: one LISTEN per process fans out to in-process subscribers.
 */
export const EVENTS_CHANNEL = "birdline_events";

export const EVENT_KINDS = ["message", "status", "note", "contact", "handling"] as const;

export type InboxEvent = {
  kind: (typeof EVENT_KINDS)[number];
  conversationId: string;
  /** The id of what changed: a message, an internal note, the contact's details, or a handling change (assignee, open/resolved). */
  messageId: string;
};

// Postgres refuses payloads of 8000 bytes or more; ids are ASCII, so characters are bytes.
const MAX_PAYLOAD_BYTES = 7_900;

let pending = new Map<string, InboxEvent>();
let flushing = false;

/** Queues an event for the next NOTIFY. Never throws: a lost live update is fixed by a reload, a failed webhook is not. */
export function publish(event: InboxEvent): void {
  pending.set(`${event.kind}:${event.messageId}`, event);
  if (flushing) return;
  flushing = true;
  // After the current task: a write that publishes several events does so in one go.
  setImmediate(flush);
}

async function flush() {
  while (pending.size > 0) {
    const events = [...pending.values()];
    pending = new Map();
    for (const payload of payloadsOf(events)) {
      try {
        await database.notify(EVENTS_CHANNEL, payload);
      } catch (error) {
        log.error("could not publish inbox events", { payload, error });
      }
    }
  }
  flushing = false;
}

/** JSON arrays of events, each small enough for one NOTIFY. */
export function payloadsOf(events: InboxEvent[]): string[] {
  const payloads: string[] = [];
  let batch: string[] = [];
  let size = 2;
  for (const event of events) {
    const json = JSON.stringify(event);
    if (batch.length > 0 && size + json.length + 1 > MAX_PAYLOAD_BYTES) {
      payloads.push(`[${batch.join(",")}]`);
      batch = [];
      size = 2;
    }
    batch.push(json);
    size += json.length + 1;
  }
  if (batch.length > 0) payloads.push(`[${batch.join(",")}]`);
  return payloads;
}

/** What a subscriber hears: events that arrived, or word that some may have been missed. */
export type BusMessage = { type: "events"; events: InboxEvent[] } | { type: "resync" };
export type Subscriber = (message: BusMessage) => void;

// Anyone with database access can NOTIFY this channel: only well-formed ids go further.
const Payload = z.array(z.object({ kind: z.enum(EVENT_KINDS), conversationId: z.guid(), messageId: z.guid() }));

const subscribers = new Set<Subscriber>();
// Once started, the LISTEN stays for the life of the process. It costs one idle
// connection; stopping it with the last subscriber would make a lone user's
// every page load pay a LISTEN round trip, and race an UNLISTEN against the next LISTEN.
let listening: Promise<unknown> | undefined;

/**
 * Adds a subscriber; resolves once this process is listening, so nothing
 * published after that is missed. Returns the unsubscribe function.
 */
export async function subscribe(subscriber: Subscriber): Promise<() => void> {
  subscribers.add(subscriber);
  try {
    await (listening ??= database.listen(EVENTS_CHANNEL, deliver, resync).catch((error: unknown) => {
      listening = undefined;
      throw error;
    }));
  } catch (error) {
    subscribers.delete(subscriber);
    throw error;
  }
  return () => {
    subscribers.delete(subscriber);
  };
}

function deliver(payload: string) {
  let events: InboxEvent[];
  try {
    events = Payload.parse(JSON.parse(payload));
  } catch {
    log.warn("ignored a malformed inbox event payload", { excerpt: payload.slice(0, 200) });
    return;
  }
  if (events.length > 0) fanOut({ type: "events", events });
}

// The listener dropped and came back: NOTIFYs sent meanwhile are gone for good.
function resync() {
  log.info("event listener reconnected; asking subscribers to resync");
  fanOut({ type: "resync" });
}

function fanOut(message: BusMessage) {
  for (const subscriber of subscribers) {
    try {
      subscriber(message);
    } catch (error) {
      log.error("an event subscriber failed", { error });
    }
  }
}
