import { redirect } from "react-router";
import { signOut } from "~/.server/auth";
import type { Route } from "./+types/logout";

export function loader() {
  return redirect("/");
}

export async function action({ request }: Route.ActionArgs) {
  // Logging someone out from another site is a nuisance attack: only same-origin form posts count.
  const site = request.headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") throw new Response("Cross-site logout refused", { status: 403 });
  return redirect("/", { headers: await signOut(request) });
}
