import { data, redirect } from "react-router";
import { setAway } from "~/.server/identity/availability";
import { requireRole } from "~/.server/identity/session";
import { AvailabilitySchema } from "~/lib/availability";
import { safeRedirect } from "~/lib/redirect";
import type { Route } from "./+types/settings.availability";

/** The header's Available / Away switch posts here, and goes back to the page it was on. Staff only. */

export async function loader({ request }: Route.LoaderArgs) {
  await requireRole(request, "agent");
  throw redirect("/messages");
}

export async function action({ request }: Route.ActionArgs) {
  const user = await requireRole(request, "agent");
  const parsed = AvailabilitySchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) throw data("Say whether you are away or available.", { status: 400 });
  await setAway(user.id, parsed.data.away);
  throw redirect(safeRedirect(parsed.data.redirectTo));
}
