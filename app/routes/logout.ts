import { redirect } from "react-router";
import { endAllSessions, getOptionalUser, signOut } from "~/.server/identity/session";
import type { Route } from "./+types/logout";

export function loader() {
  return redirect("/");
}

// Logging someone out from another site is a nuisance attack: the edge refuses cross-site posts to every action.
export async function action({ request }: Route.ActionArgs) {
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
