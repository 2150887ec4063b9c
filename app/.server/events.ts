import { database } from "./db/client";
import { log } from "./log";

/**
 * Publishing half of the live-update bus (DESIGN.md "Flows"). Callers publish
 * after their transaction has committed: a NOTIFY inside a write transaction
 * takes a database-wide lock at commit and serializes every writer. Bursts are
 * coalesced into one NOTIFY, and payloads carry ids only.
 */
export const EVENTS_CHANNEL = "birdline_events";

export type InboxEvent = {
  kind: "message" | "status";
  conversationId: string;
  messageId: string;
};

const COALESCE_MS = 5;
// Postgres refuses payloads of 8000 bytes or more; ids are ASCII, so characters are bytes.
const MAX_PAYLOAD_BYTES = 7_900;

let pending = new Map<string, InboxEvent>();
let timer: NodeJS.Timeout | undefined;

/** Queues an event for the next NOTIFY. Never throws: a lost live update is fixed by a reload, a failed webhook is not. */
export function publish(event: InboxEvent): void {
  pending.set(`${event.kind}:${event.messageId}`, event);
  timer ??= setTimeout(flush, COALESCE_MS);
}

async function flush() {
  const events = [...pending.values()];
  pending = new Map();
  timer = undefined;
  for (const payload of payloadsOf(events)) {
    try {
      await database.notify(EVENTS_CHANNEL, payload);
    } catch (error) {
      log.error("could not publish inbox events", { payload, error: String(error) });
    }
  }
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
