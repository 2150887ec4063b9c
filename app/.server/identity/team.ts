import { and, asc, desc, eq, isNull, sql } from "drizzle-orm";
import type { Role } from "~/lib/roles";
import { db } from "../platform/db/client";
import type { Db } from "../platform/db/connect";
import { users } from "../platform/db/schema";
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

/** Every account: admins first, then agents, then members, each oldest first. */
export function listAccounts(): Promise<Account[]> {
  return db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      phoneNumber: users.phoneNumber,
      createdAt: users.createdAt,
      deactivatedAt: users.deactivatedAt,
    })
    .from(users)
    .orderBy(desc(users.role), asc(users.createdAt), asc(users.id));
}

export type AccountChange = { ok: true } | { ok: false; reason: "not-found" | "last-admin" };

const NOT_FOUND = { ok: false, reason: "not-found" } as const;
const LAST_ADMIN = { ok: false, reason: "last-admin" } as const;
const DONE = { ok: true } as const;

/**
 * Runs `change` on an existing account unless it would leave no active admin.
 * The active admins' rows stay locked until commit: two admins demoting each
 * other at once are decided one after the other, and the second one is refused.
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
