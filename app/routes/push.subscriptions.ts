import { data } from "react-router";
import type { z } from "zod";
import { getOptionalUser, sessionOf } from "~/.server/identity/session";
import {
  deviceName,
  MAX_DEVICES,
  removeSubscription,
  saveSubscription,
  SubscriptionSchema,
  UnsubscribeSchema,
} from "~/.server/notifications/subscriptions";
import type { Route } from "./+types/push.subscriptions";

/**
 * The service worker's subscription, posted by /settings/notifications as
 * JSON (the edge admits only same-origin JSON here): POST keeps it (201),
 * bound to this sign-in, DELETE forgets it (204).
 */
export async function action({ request }: Route.ActionArgs) {
  const [user, session] = await Promise.all([getOptionalUser(request), sessionOf(request)]);
  if (!user || !session) return data({ error: "Sign in first." }, { status: 401 });
  if (request.method !== "POST" && request.method !== "DELETE")
    return data({ error: "Use POST or DELETE." }, { status: 405, headers: { Allow: "POST, DELETE" } });
  const body = await request.json().catch(() => undefined);
  if (request.method === "DELETE") {
    const parsed = UnsubscribeSchema.safeParse(body);
    if (!parsed.success) return refused(parsed.error);
    await removeSubscription(user.id, parsed.data.endpoint);
    return new Response(null, { status: 204 });
  }
  const parsed = SubscriptionSchema.safeParse(body);
  if (!parsed.success) return refused(parsed.error);
  const saved = await saveSubscription(user.id, parsed.data, {
    device: deviceName(request.headers.get("user-agent")),
    session,
  });
  if (saved === "too many devices")
    return data(
      { error: `You have ${MAX_DEVICES} devices with notifications: remove one from the list below first.` },
      { status: 400 },
    );
  return data({ ok: true }, { status: 201 });
}

export function loader() {
  throw data("Not found", { status: 404 });
}

function refused(error: z.ZodError) {
  return data({ error: error.issues.map((issue) => issue.message).join("; ") }, { status: 400 });
}
