import { createHash, randomBytes } from "node:crypto";
import { and, asc, eq, exists, gt, isNull, sql } from "drizzle-orm";
import type { InviteRole } from "~/lib/team-schemas";
import { db } from "../platform/db/client";
import type { Db } from "../platform/db/connect";
import { invites, users } from "../platform/db/schema";
import { isUuid } from "../platform/db/uuid";
import { accountName } from "./names";

/**
 * Invite links: the way someone becomes an agent or admin from the start.
 * The token is shown once, to the admin who made it; the database keeps only
 * its SHA-256, and finding an invite means looking that hash up, so no
 * comparison ever runs over a secret byte by byte.
 */

const INVITE_TTL_DAYS = 7;

const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

// 32 random bytes: as unguessable as a session secret; base64url keeps the link copy-pasteable.
const newToken = () => randomBytes(32).toString("base64url");

export type NewInvite = { token: string; role: InviteRole; expiresAt: Date };

export async function createInvite(createdById: string, role: InviteRole): Promise<NewInvite> {
  const token = newToken();
  const [invite] = await db
    .insert(invites)
    .values({
      tokenHash: hashToken(token),
      role,
      createdById,
      expiresAt: sql`now() + make_interval(days => ${INVITE_TTL_DAYS})`,
    })
    .returning({ expiresAt: invites.expiresAt });
  return { token, role, expiresAt: invite!.expiresAt };
}

// An invite speaks for the admin who made it, so only while they are one:
// checked where it is used as well as withdrawn when they stop being one
// (withdrawInvitesOf), so a link kept from before this rule is refused too.
const creatorIsActiveAdmin = exists(
  db
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, invites.createdById), eq(users.role, "admin"), isNull(users.deactivatedAt))),
);

// The database's clock decides expiry, so every instance agrees on it.
const usable = and(isNull(invites.usedAt), gt(invites.expiresAt, sql`now()`), creatorIsActiveAdmin);

/** The role an invite link would grant now, or null when it is unknown, used or expired. */
export async function inviteRole(token: string): Promise<InviteRole | null> {
  const [invite] = await db
    .select({ role: invites.role })
    .from(invites)
    .where(and(eq(invites.tokenHash, hashToken(token)), usable));
  return (invite?.role as InviteRole | undefined) ?? null;
}

/**
 * Locks a usable invite for the registration in `tx`, which must call the
 * returned `markUsed` once the account exists. Null when the link is unknown,
 * used or expired; a concurrent registration with the same link waits here
 * and then finds it used.
 */
export async function takeInvite(tx: Db, token: string) {
  const [invite] = await tx
    .select({ id: invites.id, role: invites.role })
    .from(invites)
    .where(and(eq(invites.tokenHash, hashToken(token)), usable))
    .for("update");
  if (!invite) return null;
  return {
    role: invite.role as InviteRole,
    markUsed: (userId: string) =>
      tx
        .update(invites)
        .set({ usedAt: sql`now()`, usedById: userId })
        .where(eq(invites.id, invite.id)),
  };
}

export type OpenInvite = { id: string; role: InviteRole; createdBy: string | null; createdAt: Date; expiresAt: Date };

/** Invites that could still be used, the soonest to expire first. */
export async function openInvites(): Promise<OpenInvite[]> {
  const rows = await db
    .select({
      id: invites.id,
      role: invites.role,
      createdBy: accountName,
      createdAt: invites.createdAt,
      expiresAt: invites.expiresAt,
    })
    .from(invites)
    .leftJoin(users, eq(users.id, invites.createdById))
    .where(usable)
    .orderBy(asc(invites.expiresAt));
  return rows.map((row) => ({ ...row, role: row.role as InviteRole }));
}

/** Deletes an open invite; false when there is none with this id (unknown, or already used or expired). */
export async function revokeInvite(id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const deleted = await db
    .delete(invites)
    .where(and(eq(invites.id, id), usable))
    .returning({ id: invites.id });
  return deleted.length > 0;
}

/** Deletes the unused invites `userId` made, in `tx`: for when they stop being an active admin. */
export function withdrawInvitesOf(tx: Db, userId: string) {
  return tx.delete(invites).where(and(eq(invites.createdById, userId), isNull(invites.usedAt)));
}
