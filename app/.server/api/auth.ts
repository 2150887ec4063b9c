import type { TokenScope } from "~/lib/api-token-schemas";
import { hitLimit, type Limit } from "../platform/rate-limit";
import { problemOf } from "../platform/problem";
import { ApiProblem, PROBLEM_TYPES, tooManyRequests, unauthorized } from "./problem";
import { userOfToken, type TokenUser } from "./tokens";

/**
 * Who an API request acts as: the bearer token's user, and only that. Cookies
 * are never read, so a signed-in browser cannot be made to call the API (no
 * CSRF), and a request with a session cookie and no token is a 401 like any other.
 */

// A script syncing a CRM makes a few requests a second at most; a runaway loop is stopped here.
export const API_REQUESTS_PER_TOKEN: Limit = { name: "api-token", max: 300, windowMs: 60_000 };

const BEARER = /^Bearer +([A-Za-z0-9_-]+)\s*$/i;

export async function authenticate(request: Request, required: TokenScope): Promise<TokenUser> {
  const header = request.headers.get("Authorization");
  if (!header) {
    throw unauthorized(
      request.headers.has("Cookie")
        ? "The API does not accept cookies. Send an access token: Authorization: Bearer <token>."
        : "Send an access token: Authorization: Bearer <token>. Create one at /settings/tokens.",
    );
  }
  const token = BEARER.exec(header)?.[1];
  const found = token ? await userOfToken(token) : null;
  if (!found) throw unauthorized("This token is unknown, revoked or expired, or its account is switched off.");

  const limit = await hitLimit(API_REQUESTS_PER_TOKEN, found.token.id);
  if (limit.limited)
    throw tooManyRequests(
      limit.retryAfterSeconds,
      `At most ${API_REQUESTS_PER_TOKEN.max} requests a minute per token.`,
    );

  if (!allows(found.token.scope, required)) {
    throw new ApiProblem(
      problemOf(403, `This token may only read. Sending and changing conversations needs a “${required}” token.`, {
        type: PROBLEM_TYPES.scope,
        title: "Insufficient scope",
      }),
      { "WWW-Authenticate": `Bearer realm="birdline", error="insufficient_scope", scope="${required}"` },
    );
  }
  return found;
}

const allows = (scope: TokenScope, required: TokenScope) => scope === required || scope === "read+send";
