import { and, asc, desc, eq, ilike, inArray, isNull, like, or, sql } from "drizzle-orm";
import { STAFF_ROLES, type Role } from "~/lib/roles";
import { db } from "../platform/db/client";
import type { Db } from "../platform/db/connect";
import { containing } from "../platform/db/like";
import { users } from "../platform/db/schema";
import { withdrawInvitesOf } from "./invites";
import { ENDED_SESSIONS } from "./session";

/**
 * What an admin does to accounts on /team. Roles are read from the database
 * on every request, so a change applies at the person's next request without
 * ending their sessions; deactivating ends them.
 */

export type Account = {
  id: string;
  name: string | null;
  email: string | null;
  role: Role;
  phoneNumber: string | null;
  createdAt: Date;
  deactivatedAt: Date | null;
};

const accountFields = {
  id: users.id,
  name: users.name,
  email: users.email,
  role: users.role,
  phoneNumber: users.phoneNumber,
  createdAt: users.createdAt,
  deactivatedAt: users.deactivatedAt,
};

/** Agents and admins, all of them (a team is small): admins first, each oldest first. */
export function listStaff(): Promise<Account[]> {
  return db
    .select(accountFields)
    .from(users)
    .where(inArray(users.role, [...STAFF_ROLES]))
    .orderBy(desc(users.role), asc(users.createdAt), asc(users.id));
}

export const MEMBERS_PAGE_SIZE = 50;

/**
 * Members, everyone who signed up to text us: there may be thousands, so a
 * page at a time, newest first, optionally only those whose name, email or
 * phone number contains `search`. `more`: a further page exists.
 */
export async function listMembers({ search, page }: { search: string; page: number }) {
  const digits = search.replace(/[\s().+-]/g, "");
  const matches = search
    ? or(
        ilike(users.email, containing(search)),
        ilike(users.name, containing(search)),
        /^\d+$/.test(digits) ? like(users.phoneNumber, containing(digits)) : undefined,
      )
    : undefined;
  const rows = await db
    .select(accountFields)
    .from(users)
    .where(and(eq(users.role, "member"), matches))
    .orderBy(desc(users.createdAt), desc(users.id))
    .limit(MEMBERS_PAGE_SIZE + 1)
    .offset(page * MEMBERS_PAGE_SIZE);
  return { members: rows.slice(0, MEMBERS_PAGE_SIZE), more: rows.length > MEMBERS_PAGE_SIZE };
}

export type AccountChange = { ok: true } | { ok: false; reason: "not-found" | "last-admin" };

const NOT_FOUND = { ok: false, reason: "not-found" } as const;
const LAST_ADMIN = { ok: false, reason: "last-admin" } as const;
const DONE = { ok: true } as const;

/**
 * Runs `change` on an existing account unless it would leave no active admin.
 * The active admins' rows stay locked until commit: two admins demoting each
 * other at once are decided one after the other, and the second one is refused.
 * A change that takes an admin's powers away also withdraws the invites they
 * made: a link must not let anyone in on the authority they no longer have.
 */
function guarded(userId: string, removesAdmin: boolean, change: (tx: Db) => Promise<unknown>) {
  return db.transaction(async (tx): Promise<AccountChange> => {
    const admins = await tx
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.role, "admin"), isNull(users.deactivatedAt)))
      .for("update");
    const [account] = await tx.select({ id: users.id }).from(users).where(eq(users.id, userId));
    if (!account) return NOT_FOUND;
    if (removesAdmin && admins.length === 1 && admins[0]!.id === userId) return LAST_ADMIN;
    await change(tx);
    if (removesAdmin) await withdrawInvitesOf(tx, userId);
    return DONE;
  });
}

export function setRole(userId: string, role: Role): Promise<AccountChange> {
  return guarded(userId, role !== "admin", (tx) => tx.update(users).set({ role }).where(eq(users.id, userId)));
}

/** Switches an account off: it cannot sign in, and every session it has ends at its next request. */
export function deactivate(userId: string): Promise<AccountChange> {
  return guarded(userId, true, (tx) =>
    tx
      .update(users)
      .set({ deactivatedAt: sql`now()`, ...ENDED_SESSIONS })
      .where(and(eq(users.id, userId), isNull(users.deactivatedAt))),
  );
}

/** Lets the account sign in again. Sessions from before the deactivation stay ended. */
export async function reactivate(userId: string): Promise<AccountChange> {
  const [account] = await db
    .update(users)
    .set({ deactivatedAt: null })
    .where(eq(users.id, userId))
    .returning({ id: users.id });
  return account ? DONE : NOT_FOUND;
}
