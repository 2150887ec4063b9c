import { database } from "~/.server/platform/db/client";

export async function loader() {
  const ok = await database.ping();
  return Response.json({ ok }, { status: ok ? 200 : 503, headers: { "Cache-Control": "no-store" } });
}
