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

// Every viewer in this process hangs off one bus subscription: per NOTIFY one
// audience lookup, then one synchronous pass over the viewers, rather than a
// promise per open stream.
const viewers = new Set<Viewer>();
let subscribed: Promise<unknown> | undefined;

/** How many viewers this process holds: closed streams must bring it back down. */
export const viewerCount = () => viewers.size;

/** Subscribes one viewer to the events they may see; resolves once listening, to the unsubscribe function. */
export async function subscribeAsViewer(viewerId: string, listener: ViewerListener): Promise<() => void> {
  const viewer: Viewer = { id: viewerId, listener };
  viewers.add(viewer);
  try {
    await (subscribed ??= subscribe(deliver).catch((error: unknown) => {
      subscribed = undefined;
      throw error;
    }));
  } catch (error) {
    viewers.delete(viewer);
    throw error;
  }
  return () => {
    viewers.delete(viewer);
  };
}

function deliver(message: BusMessage) {
  // Whoever was listening when the NOTIFY arrived, less whoever left meanwhile.
  const recipients = [...viewers];
  if (message.type === "resync") return tell(recipients, (viewer) => viewer.listener.onResync());
  void audienceOf([...new Set(message.events.map((event) => event.conversationId))]).then(
    (audience) =>
      tell(recipients, (viewer) => {
        const visible = message.events.filter((event) => audience(viewer.id, event));
        if (visible.length > 0) viewer.listener.onEvents(visible);
      }),
    (error: unknown) => {
      log.warn("could not check who may see inbox events", { error });
      // Nobody may be told which ids changed; a resync carries none and still refreshes the page.
      tell(recipients, (viewer) => viewer.listener.onResync());
    },
  );
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
