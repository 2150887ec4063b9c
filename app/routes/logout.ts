import { redirect } from "react-router";
import { endAllSessions, getOptionalUser, signOut } from "~/.server/identity/session";
import type { Route } from "./+types/logout";

export function loader() {
  return redirect("/");
}

export async function action({ request }: Route.ActionArgs) {
  // Logging someone out from another site is a nuisance attack: only same-origin form posts count.
  const site = request.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none")
    throw new Response("Cross-site logout refused", { status: 403 });

  // A bare POST (no form at all) is still a plain sign-out.
  const formData = await request.formData().catch(() => null);
  if (formData?.get("intent") === "sign-out-everywhere") {
    // Only a live session may end the others: a signed-out cookie found later must not.
    const user = await getOptionalUser(request);
    if (user) await endAllSessions(user.id);
    return redirect("/login", { headers: await signOut(request) });
  }
  return redirect("/", { headers: await signOut(request) });
}
