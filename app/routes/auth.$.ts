import { Auth } from "@auth/core";
import { authConfig } from "~/.server/auth";
import type { Route } from "./+types/auth.$";

// Auth.js's own endpoints (/auth/session, /auth/csrf, future OAuth callbacks).
export const loader = ({ request }: Route.LoaderArgs) => Auth(request, authConfig);
export const action = ({ request }: Route.ActionArgs) => Auth(request, authConfig);
