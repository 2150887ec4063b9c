import { env } from "../platform/env";
import { open, seal } from "../platform/secret-box";

/**
 * A new token travels from the form's POST to the page after the redirect in
 * a sealed, HttpOnly cookie under /settings that lives two minutes
 * and is cleared by the first page that reads it: shown once, never in a URL,
 * and a reload (or the back button) finds it gone. The POST itself cannot
 * show it: a reload would post the form again and make a second token.
 */

const COOKIE = "birdline-new-token";
// Not /settings/tokens: with JavaScript the page's data comes from /settings/tokens.data, which that path does not cover.
const PATH = "/settings";
const attributes = `Path=${PATH}; HttpOnly; SameSite=Lax${env.secureCookies ? "; Secure" : ""}`;

type NewToken = { userId: string; tokenId: string; token: string };

export const newTokenCookie = (token: NewToken) =>
  `${COOKIE}=${seal(JSON.stringify(token))}; Max-Age=120; ${attributes}`;

export const clearNewTokenCookie = () => `${COOKIE}=; Max-Age=0; ${attributes}`;

/** The token just made by `userId`, if this request carries it; null after any other user's or a tampered cookie. */
export function readNewToken(request: Request, userId: string): { tokenId: string; token: string } | null {
  const sealed = request.headers
    .get("Cookie")
    ?.split(";")
    .map((pair) => pair.trim())
    .find((pair) => pair.startsWith(`${COOKIE}=`))
    ?.slice(COOKIE.length + 1);
  const opened = sealed ? open(sealed) : null;
  if (!opened) return null;
  const flash = JSON.parse(opened) as NewToken;
  return flash.userId === userId ? { tokenId: flash.tokenId, token: flash.token } : null;
}
