import { getLastingSession } from "~/.server/identity/session";
import type { InboxEvent } from "~/.server/platform/event-bus";
import { encodeEvent, eventStream } from "~/.server/platform/event-stream";
import { log } from "~/.server/platform/log";
import { subscribeAsViewer } from "~/.server/conversations/live-feed";
import type { Route } from "./+types/events";

// Every open stream receives the same event objects from one NOTIFY: each is encoded once.
const frames = new WeakMap<InboxEvent, Uint8Array>();
function inboxFrame(event: InboxEvent): Uint8Array {
  let frame = frames.get(event);
  if (!frame) frames.set(event, (frame = encodeEvent("inbox", JSON.stringify(event))));
  return frame;
}
const RESYNC = encodeEvent("resync", "{}");

/**
 * Live updates for the signed-in user's open pages: `inbox` events carry ids
 * only (kind, conversationId, messageId), `resync` says some may have been missed.
 */
export async function loader({ request }: Route.LoaderArgs) {
  const session = await getLastingSession(request);
  // A stream cannot follow a redirect to the login page; 401 makes EventSource stop.
  if (!session) return new Response("Sign in to receive live updates.", { status: 401 });
  try {
    return await eventStream(
      request.signal,
      (send) =>
        subscribeAsViewer(session.user.id, {
          onEvents: (events) => events.forEach((event) => send(inboxFrame(event))),
          onResync: () => send(RESYNC),
        }),
      // Signing out, "end all sessions" and deactivation reach an open stream too; its reconnect then gets the 401.
      { stillAllowed: session.stillSignedIn },
    );
  } catch (error) {
    log.warn("could not open a live-update stream", { error });
    return new Response("Live updates are unavailable; try again shortly.", {
      status: 503,
      headers: { "Retry-After": "5" },
    });
  }
}
