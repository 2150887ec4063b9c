import { Auth } from "@auth/core";
import { authConfig } from "~/.server/auth";
import type { Route } from "./+types/auth.$";

// Auth.js's own endpoints (/auth/session, /auth/csrf, /auth/signout, future OAuth
// callbacks). Password sign-in happens only through /login, which Auth.js is
// called from in-process: posting credentials here directly would skip the
// login rate limits.
const PASSWORD_SIGN_IN = /^callback\/credentials|^signin\/credentials/;

export const loader = ({ request }: Route.LoaderArgs) => Auth(request, authConfig);

export function action({ request, params }: Route.ActionArgs) {
  if (PASSWORD_SIGN_IN.test(params["*"] ?? "")) return new Response("Not found", { status: 404 });
  return Auth(request, authConfig);
}
