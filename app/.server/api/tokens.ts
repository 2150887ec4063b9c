import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, gt, isNull, lt, or, sql } from "drizzle-orm";
import type { TokenScope } from "~/lib/api-token-schemas";
import type { SessionUser } from "../identity/session";
import { db } from "../platform/db/client";
import { apiTokens, users } from "../platform/db/schema";
import { isUuid } from "../platform/db/uuid";

/**
 * Access tokens for the REST API. A token is `bl_` and 32 random bytes
 * (base64url); only its SHA-256 is stored, and a request finds its token by
 * that hash in a unique index. Comparing in constant time would guard nothing
 * there: the lookup compares hashes of 256 random bits, whose timing says
 * nothing about any token.
 */

export const TOKEN_PREFIX = "bl_";
// Last used is for people ("used 3 minutes ago"): a write per request would be a write per API call.
const LAST_USED_PRECISION_MS = 60_000;

export type TokenSummary = Pick<
  typeof apiTokens.$inferSelect,
  "id" | "name" | "scope" | "createdAt" | "lastUsedAt" | "expiresAt"
>;

/** Who a token acts as, with its own scope. */
export type TokenUser = { user: SessionUser; token: { id: string; scope: TokenScope } };

const hashOf = (token: string) => createHash("sha256").update(token).digest("hex");

/** Creates a token for `userId`; the plain token is in the answer and nowhere else, ever. */
export async function createToken({
  userId,
  name,
  scope,
  expiresAt,
}: {
  userId: string;
  name: string;
  scope: TokenScope;
  expiresAt: Date | null;
}): Promise<{ token: string; summary: TokenSummary }> {
  const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
  const [row] = await db
    .insert(apiTokens)
    .values({ userId, name, scope, expiresAt, tokenHash: hashOf(token) })
    .returning(summaryColumns);
  return { token, summary: row! };
}

const summaryColumns = {
  id: apiTokens.id,
  name: apiTokens.name,
  scope: apiTokens.scope,
  createdAt: apiTokens.createdAt,
  lastUsedAt: apiTokens.lastUsedAt,
  expiresAt: apiTokens.expiresAt,
};

/** A person's own tokens, newest first, expired ones included (they say so until revoked). */
export async function listTokens(userId: string): Promise<TokenSummary[]> {
  return db
    .select(summaryColumns)
    .from(apiTokens)
    .where(eq(apiTokens.userId, userId))
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
}

/** Deletes one of `userId`'s own tokens; false when they have no such token (a 404 upstream). */
export async function revokeToken(userId: string, tokenId: string): Promise<boolean> {
  if (!isUuid(tokenId)) return false;
  const deleted = await db
    .delete(apiTokens)
    .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, userId)))
    .returning({ id: apiTokens.id });
  return deleted.length > 0;
}

/**
 * The user a token acts as, or null: unknown, revoked (deleted), expired, or
 * its user deactivated. Signing out everywhere (the session version) does not
 * end tokens: they are revoked one by one on /settings/tokens, and a script
 * should not stop because its owner signed out on a lost laptop.
 */
export async function userOfToken(token: string): Promise<TokenUser | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const [row] = await db
    .select({
      id: apiTokens.id,
      scope: apiTokens.scope,
      lastUsedAt: apiTokens.lastUsedAt,
      user: { id: users.id, email: users.email, name: users.name, role: users.role, phoneNumber: users.phoneNumber },
    })
    .from(apiTokens)
    .innerJoin(users, and(eq(users.id, apiTokens.userId), isNull(users.deactivatedAt)))
    .where(
      and(eq(apiTokens.tokenHash, hashOf(token)), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, sql`now()`))),
    );
  if (!row) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() >= LAST_USED_PRECISION_MS) {
    // Conditional, so a burst of requests still writes once.
    await db
      .update(apiTokens)
      .set({ lastUsedAt: sql`now()` })
      .where(
        and(
          eq(apiTokens.id, row.id),
          or(
            isNull(apiTokens.lastUsedAt),
            lt(apiTokens.lastUsedAt, sql`now() - make_interval(secs => ${LAST_USED_PRECISION_MS / 1000})`),
          ),
        ),
      );
  }
  return { user: row.user, token: { id: row.id, scope: row.scope } };
}
