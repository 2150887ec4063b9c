import { subscribe, type BusMessage, type InboxEvent } from "../platform/event-bus";
import { log } from "../platform/log";
import { audienceOf } from "./access";

/**
 * The bus as each signed-in person sees it: each event goes to whoever
 * access.ts says may see its conversation.
 */

export type ViewerListener = {
  onEvents(events: InboxEvent[]): void;
  /** Events may have been missed (or could not be checked): reload whatever is on screen. */
  onResync(): void;
};

type Viewer = { id: string; listener: ViewerListener };

// Every viewer in this process hangs off one bus subscription: per lookup one
// audience query, then one synchronous pass over the viewers, rather than a
// promise per open stream. Events that arrive while a lookup runs wait and go
// in the next one together, so a burst of NOTIFYs costs a few passes over a
// thousand streams, not one each.
const viewers = new Set<Viewer>();
let arrived: InboxEvent[] = [];
let lookingUp = false;

/** How many viewers this process holds: closed streams must bring it back down. */
export const viewerCount = () => viewers.size;

/** Subscribes one viewer to the events they may see; resolves once listening, to the unsubscribe function. */
export async function subscribeAsViewer(viewerId: string, listener: ViewerListener): Promise<() => void> {
  const viewer: Viewer = { id: viewerId, listener };
  viewers.add(viewer);
  try {
    // The bus holds `deliver` once however often it is added, and starts and
    // retries its LISTEN itself; its unsubscribe is never called, since
    // `deliver` serves every viewer for the life of the process.
    await subscribe(deliver);
  } catch (error) {
    viewers.delete(viewer);
    throw error;
  }
  return () => {
    viewers.delete(viewer);
  };
}

function deliver(message: BusMessage) {
  if (message.type === "resync") return tell([...viewers], (viewer) => viewer.listener.onResync());
  arrived.push(...message.events);
  if (!lookingUp) void tellArrived();
}

async function tellArrived() {
  lookingUp = true;
  while (arrived.length > 0) {
    const events = arrived;
    arrived = [];
    // Whoever is listening now, less whoever leaves during the lookup.
    const recipients = [...viewers];
    try {
      const audience = await audienceOf([...new Set(events.map((event) => event.conversationId))]);
      tell(recipients, (viewer) => {
        const visible = events.filter((event) => audience(viewer.id, event));
        if (visible.length > 0) viewer.listener.onEvents(visible);
      });
    } catch (error) {
      log.warn("could not check who may see inbox events", { error });
      // Nobody may be told which ids changed; a resync carries none and still refreshes the page.
      tell(recipients, (viewer) => viewer.listener.onResync());
    }
  }
  lookingUp = false;
}

function tell(recipients: Viewer[], notify: (viewer: Viewer) => void) {
  for (const viewer of recipients) {
    if (!viewers.has(viewer)) continue;
    try {
      notify(viewer);
    } catch (error) {
      log.error("a live-update viewer failed", { error });
    }
  }
}
