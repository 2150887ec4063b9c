import { Auth, setEnvDefaults, type AuthConfig } from "@auth/core";
import { CredentialsSignin } from "@auth/core/errors";
import { getToken } from "@auth/core/jwt";
import Credentials from "@auth/core/providers/credentials";
import { DrizzleAdapter } from "@auth/drizzle-adapter";
import { and, eq, isNull, notExists, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import { redirect } from "react-router";
import { hasRole, type Role } from "~/lib/roles";
import { LoginSchema } from "~/lib/account-schemas";
import { db } from "../platform/db/client";
import {
  accounts,
  pushSubscriptions,
  revokedSessions,
  sessions,
  users,
  verificationTokens,
} from "../platform/db/schema";
import { env } from "../platform/env";
import { log } from "../platform/log";
import { burnPasswordCheck, verifyPassword } from "./passwords";

/** What loaders may know about the signed-in person. Never the hash. */
export type SessionUser = {
  id: string;
  email: string | null;
  name: string | null;
  role: Role;
  phoneNumber: string | null;
};

declare module "@auth/core/types" {
  interface User {
    sessionVersion?: number;
  }
}

/**
 * What a session token carries besides the user id: `sid` names this one
 * sign-in (signing out revokes just it, so the phone stays signed in when the
 * laptop signs out) and `sv` is the account's session version at sign-in
 * (bumping it ends every session at once).
 */
export function newSessionClaims(sessionVersion: number) {
  return { sid: crypto.randomUUID(), sv: sessionVersion };
}

const QUIET_ERRORS = new Set(["CredentialsSignin", "MissingCSRF"]);

/**
 * The right password for a switched-off account. Auth.js puts `code` in the
 * answer's URL; only someone who knows the password learns the account is
 * deactivated, so the login form says no more about an email than before.
 */
const DEACTIVATED = "account_deactivated";
class AccountDeactivated extends CredentialsSignin {
  code = DEACTIVATED;
}

export const authConfig: AuthConfig = {
  basePath: "/auth",
  // The public URL decides, not the internal request: behind a TLS proxy the app sees http.
  useSecureCookies: env.secureCookies,
  // With an adapter and no strategy Auth.js switches to database sessions, which Credentials cannot use.
  session: { strategy: "jwt" },
  // Wired so OAuth or magic links can be added later; Credentials + JWT never calls it.
  adapter: DrizzleAdapter(db, {
    usersTable: users,
    accountsTable: accounts,
    sessionsTable: sessions,
    verificationTokensTable: verificationTokens,
  }),
  pages: { signIn: "/login", error: "/login" },
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(credentials) {
        const parsed = LoginSchema.safeParse(credentials);
        if (!parsed.success) return null;
        const [user] = await db
          .select({
            id: users.id,
            email: users.email,
            name: users.name,
            passwordHash: users.passwordHash,
            sessionVersion: users.sessionVersion,
            deactivatedAt: users.deactivatedAt,
          })
          .from(users)
          .where(eq(users.email, parsed.data.email));
        if (!user?.passwordHash) {
          await burnPasswordCheck(parsed.data.password);
          return null;
        }
        if (!(await verifyPassword(user.passwordHash, parsed.data.password))) return null;
        if (user.deactivatedAt) throw new AccountDeactivated();
        return { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion };
      },
    }),
  ],
  callbacks: {
    // `user` is only there at sign-in; later calls keep the claims it stamped.
    jwt: ({ token, user }) => (user ? { ...token, ...newSessionClaims(user.sessionVersion ?? 0) } : token),
  },
  logger: {
    // A wrong password or a stale form is not a server error; keep the log for real faults.
    error(error) {
      if (QUIET_ERRORS.has((error as { type?: string }).type ?? error.name)) return;
      log.error("auth error", { error: error.message });
    },
    warn(code) {
      log.warn("auth warning", { warning: code });
    },
    debug() {},
  },
};
// Auth() reads no environment itself; map ours onto its conventions once.
setEnvDefaults({ AUTH_SECRET: env.authSecret, AUTH_TRUST_HOST: "true" }, authConfig, true);

/**
 * Hands a request to Auth.js as if the browser had made it to /auth/<path> on
 * the public URL. X-Auth-Return-Redirect makes Auth.js answer {url} instead of
 * a 302, so our routes keep the form (and the typed email) on failure.
 *
 * This is the only way into Auth.js: it has no HTTP route of its own. Every
 * way it could create a session is then one of ours (/login, /register), with
 * their limits, however a path to Auth.js might be spelled.
 */
function callAuth(path: string, cookie: string | null, form?: Record<string, string>) {
  const headers = new Headers({ "X-Auth-Return-Redirect": "1" });
  if (cookie) headers.set("cookie", cookie);
  if (form) headers.set("content-type", "application/x-www-form-urlencoded");
  return Auth(
    new Request(new URL(`/auth/${path}`, env.appUrl), {
      method: form ? "POST" : "GET",
      headers,
      body: form ? new URLSearchParams(form) : undefined,
    }),
    authConfig,
  );
}

function setCookiesOf(response: Response): Headers {
  const headers = new Headers();
  for (const cookie of response.headers.getSetCookie()) headers.append("Set-Cookie", cookie);
  return headers;
}

/** A CSRF token for the login/register form, plus the cookie that pairs with it. */
export async function getCsrfToken(request: Request): Promise<{ csrfToken: string; headers: Headers }> {
  const response = await callAuth("csrf", request.headers.get("cookie"));
  // An empty token would only surface later as a baffling MissingCSRF on every login.
  if (!response.ok) throw new Error(`Auth.js /csrf answered ${response.status}`);
  const { csrfToken } = (await response.json()) as { csrfToken: string };
  return { csrfToken, headers: setCookiesOf(response) };
}

export type SignInResult =
  { ok: true; headers: Headers } | { ok: false; error: "credentials" | "deactivated" | "csrf" };

export async function signInWithPassword(
  request: Request,
  credentials: { email: string; password: string; csrfToken: string },
): Promise<SignInResult> {
  const response = await callAuth("callback/credentials", request.headers.get("cookie"), credentials);
  const { url } = (await response.json().catch(() => ({}))) as { url?: string };
  const answer = url ? new URL(url, env.appUrl).searchParams : new URLSearchParams({ error: "Configuration" });
  const error = answer.get("error");
  if (!error) return { ok: true, headers: setCookiesOf(response) };
  if (error === "CredentialsSignin")
    return { ok: false, error: answer.get("code") === DEACTIVATED ? "deactivated" : "credentials" };
  if (error === "MissingCSRF") return { ok: false, error: "csrf" };
  throw new Error(`Sign-in failed: ${error}`);
}

/**
 * Ends this browser's session: its `sid` is refused from now on, until the
 * token would have expired anyway, and its push subscriptions are forgotten. Returns the cookie-clearing headers for the redirect.
 */
export async function signOut(request: Request): Promise<Headers> {
  const claims = await sessionClaims(request);
  if (claims) {
    await db
      .insert(revokedSessions)
      .values({ sid: claims.sid, expiresAt: new Date(claims.exp * 1000) })
      .onConflictDoNothing();
    // This browser's push subscriptions go with the sign-in: whoever uses it next reads nothing of this user's.
    await db.delete(pushSubscriptions).where(eq(pushSubscriptions.sessionId, claims.sid));
  }
  // The logout route itself is the CSRF boundary (POST, same-origin check); this token is only Auth.js's formality.
  const { csrfToken, headers: csrfCookies } = await getCsrfToken(request);
  // Fresh cookies first: cookie parsers keep the first of two same-named values.
  const cookie = [...csrfCookies.getSetCookie().map((c) => c.split(";")[0]), request.headers.get("cookie")]
    .filter(Boolean)
    .join("; ");
  const response = await callAuth("signout", cookie, { csrfToken });
  return setCookiesOf(response);
}

/** Set on a user row, ends every session of that user, on every device, at their next request. */
export const ENDED_SESSIONS = { sessionVersion: sql`${users.sessionVersion} + 1` };

export async function endAllSessions(userId: string): Promise<void> {
  await db.update(users).set(ENDED_SESSIONS).where(eq(users.id, userId));
}

type SessionClaims = { sub: string; sid: string; sv: number; exp: number };

/** `load` once per request, however many helpers ask: loaders of one page share a Request. */
function perRequest<T>(load: (request: Request) => Promise<T>): (request: Request) => Promise<T> {
  const cache = new WeakMap<Request, Promise<T>>();
  return (request) => {
    let value = cache.get(request);
    if (!value) {
      value = load(request);
      cache.set(request, value);
    }
    return value;
  };
}

/** The session token's claims, if it is ours, unexpired, and names a session (sid and sv). */
const sessionClaims = perRequest(decodeClaims);

async function decodeClaims(request: Request): Promise<SessionClaims | null> {
  const token = await getToken({ req: request, secret: env.authSecret, secureCookie: env.secureCookies });
  const { sub, sid, sv, exp } = token ?? {};
  // Tokens issued before sessions could be ended carry no sid or sv: they count as signed out.
  if (typeof sub !== "string" || typeof sid !== "string" || typeof sv !== "number" || typeof exp !== "number")
    return null;
  return { sub, sid, sv, exp };
}

/** Which sign-in a request carries: what outlives the request (a push subscription) is bound to it. */
export async function sessionOf(
  request: Request,
): Promise<{ sessionId: string; sessionVersion: number; expiresAt: Date } | null> {
  const claims = await sessionClaims(request);
  return claims && { sessionId: claims.sid, sessionVersion: claims.sv, expiresAt: new Date(claims.exp * 1000) };
}

/**
 * Whether the sign-in a row was bound to (`sessionOf`) still stands: not signed out, and no
 * "sign out everywhere" since. Reads `users`, so the query joins the row's user.
 */
export const signInStands = (sessionId: AnyPgColumn | string, sessionVersion: AnyPgColumn | number) =>
  and(
    eq(users.sessionVersion, sessionVersion),
    notExists(db.select({ sid: revokedSessions.sid }).from(revokedSessions).where(eq(revokedSessions.sid, sessionId))),
  );

/** The signed-in user, or null. Memoized per request: root and page loaders share one lookup. */
export const getOptionalUser = perRequest(loadUser);

async function loadUser(request: Request): Promise<SessionUser | null> {
  const claims = await sessionClaims(request);
  return claims && userOf(claims);
}

/**
 * The signed-in user for a response that outlives its request (a live-update
 * stream), and a question to ask again while it lasts: does this sign-in still
 * stand, not signed out, ended everywhere or deactivated since?
 */
export async function getLastingSession(
  request: Request,
): Promise<{ user: SessionUser; stillSignedIn: () => Promise<boolean> } | null> {
  const claims = await sessionClaims(request);
  const user = claims && (await userOf(claims));
  if (!claims || !user) return null;
  return { user, stillSignedIn: async () => (await userOf(claims)) !== null };
}

async function userOf(claims: SessionClaims): Promise<SessionUser | null> {
  // One query: the user exists and is not deactivated, and this sign-in stands.
  const [user] = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, phoneNumber: users.phoneNumber })
    .from(users)
    .where(and(eq(users.id, claims.sub), isNull(users.deactivatedAt), signInStands(claims.sid, claims.sv)));
  return user ?? null;
}

function loginUrl(request: Request) {
  const { pathname, search } = new URL(request.url);
  return `/login?${new URLSearchParams({ redirectTo: `${pathname}${search}` })}`;
}

export async function requireUser(
  request: Request,
  { redirectTo }: { redirectTo?: string } = {},
): Promise<SessionUser> {
  const user = await getOptionalUser(request);
  if (!user) throw redirect(redirectTo ? `/login?${new URLSearchParams({ redirectTo })}` : loginUrl(request));
  return user;
}

export async function requireAnonymous(request: Request): Promise<void> {
  if (await getOptionalUser(request)) throw redirect("/messages");
}

/** Agents and admins pass `requireRole(request, "agent")`. Others get a 404, never a 403 that confirms the page exists. */
export async function requireRole(request: Request, role: Role): Promise<SessionUser> {
  const user = await requireUser(request);
  if (!hasRole(user, role)) throw new Response("Not found", { status: 404 });
  return user;
}
