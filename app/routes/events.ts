import { getOptionalUser } from "~/.server/identity/session";
import { eventStream } from "~/.server/platform/event-stream";
import { log } from "~/.server/platform/log";
import { subscribeAsViewer } from "~/.server/conversations/live-feed";
import type { Route } from "./+types/events";

/**
 * Live updates for the signed-in user's open pages: `inbox` events carry ids
 * only (kind, conversationId, messageId), `resync` says some may have been missed.
 */
export async function loader({ request }: Route.LoaderArgs) {
  const user = await getOptionalUser(request);
  // A stream cannot follow a redirect to the login page; 401 makes EventSource stop.
  if (!user) return new Response("Sign in to receive live updates.", { status: 401 });
  try {
    return await eventStream(request.signal, (send) =>
      subscribeAsViewer(user.id, {
        onEvents: (events) => events.forEach((event) => send("inbox", JSON.stringify(event))),
        onResync: () => send("resync", "{}"),
      }),
    );
  } catch (error) {
    log.warn("could not open a live-update stream", { error });
    return new Response("Live updates are unavailable; try again shortly.", {
      status: 503,
      headers: { "Retry-After": "5" },
    });
  }
}
