import { subscribe, type InboxEvent } from "../platform/event-bus";
import { log } from "../platform/log";
import { audienceOf, type Audience } from "./access";

/**
 * The bus as one signed-in person sees it: each event goes to whoever
 * access.ts says may see its conversation.
 */

export type ViewerListener = {
  onEvents(events: InboxEvent[]): void;
  /** Events may have been missed (or could not be checked): reload whatever is on screen. */
  onResync(): void;
};

// Every stream in this process receives the same events array for one NOTIFY:
// keyed on it, the lookup runs once per NOTIFY, not once per open stream.
const audiences = new WeakMap<InboxEvent[], Promise<Audience | null>>();

function audienceFor(events: InboxEvent[]): Promise<Audience | null> {
  let audience = audiences.get(events);
  if (!audience) {
    audience = audienceOf([...new Set(events.map((event) => event.conversationId))]).catch((error: unknown) => {
      log.warn("could not check who may see inbox events", { error });
      return null;
    });
    audiences.set(events, audience);
  }
  return audience;
}

/** Subscribes one viewer to the events they may see; resolves once listening, to the unsubscribe function. */
export function subscribeAsViewer(viewerId: string, listener: ViewerListener): Promise<() => void> {
  let subscribed = true;
  const unsubscribe = subscribe((message) => {
    if (message.type === "resync") return listener.onResync();
    void audienceFor(message.events).then((audience) => {
      if (!subscribed) return;
      // Without the lookup nobody may be told which ids changed; a resync carries none and still refreshes the page.
      if (!audience) return listener.onResync();
      const visible = message.events.filter((event) => audience(viewerId, event.conversationId));
      if (visible.length > 0) listener.onEvents(visible);
    });
  });
  return unsubscribe.then((stop) => () => {
    subscribed = false;
    stop();
  });
}
