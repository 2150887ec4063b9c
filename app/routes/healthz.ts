import { viewerCount } from "~/.server/conversations/live-feed";
import { database } from "~/.server/platform/db/client";

export async function loader() {
  const ok = await database.ping();
  // Open live-update streams on this instance: for load balancing, and to see that closed ones are freed.
  return Response.json(
    { ok, streams: viewerCount() },
    { status: ok ? 200 : 503, headers: { "Cache-Control": "no-store" } },
  );
}
