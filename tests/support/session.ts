import { encode } from "@auth/core/jwt";
import { db } from "~/.server/db/client";
import { users } from "~/.server/db/schema";
import { env } from "~/.server/env";

const SESSION_COOKIE = "authjs.session-token";

/** The cookie a browser holds after signing in as this user (Auth.js JWT session, as issued by /auth). */
export async function sessionCookie(userId: string, secret = env.authSecret): Promise<string> {
  const jwt = await encode({ token: { sub: userId }, secret, salt: SESSION_COOKIE });
  return `${SESSION_COOKIE}=${jwt}`;
}

/** A user row plus their session cookie, without going through the register form. */
export async function signedInUser(role: "member" | "agent" | "admin" = "member", phoneNumber?: string) {
  const [user] = await db
    .insert(users)
    .values({ email: `${role}-${crypto.randomUUID()}@example.com`, role, phoneNumber, phoneVerifiedAt: phoneNumber ? new Date() : null })
    .returning({ id: users.id });
  return { id: user!.id, cookie: await sessionCookie(user!.id) };
}
