import { encode } from "@auth/core/jwt";
import { eq } from "drizzle-orm";
import { newSessionClaims } from "~/.server/identity/session";
import { db } from "~/.server/platform/db/client";
import { users } from "~/.server/platform/db/schema";
import { env } from "~/.server/platform/env";

const SESSION_COOKIE = "authjs.session-token";

/** The cookie a browser holds after signing in as this user (Auth.js JWT session, with the claims sign-in stamps). */
export async function sessionCookie(userId: string, secret = env.authSecret): Promise<string> {
  const [user] = await db.select({ sessionVersion: users.sessionVersion }).from(users).where(eq(users.id, userId));
  const jwt = await encode({
    token: { sub: userId, ...newSessionClaims(user?.sessionVersion ?? 0) },
    secret,
    salt: SESSION_COOKIE,
  });
  return `${SESSION_COOKIE}=${jwt}`;
}
