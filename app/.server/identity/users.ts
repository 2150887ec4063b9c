import { sql } from "drizzle-orm";
import type { Role } from "~/lib/roles";
import { db } from "../platform/db/client";
import { users } from "../platform/db/schema";
import { takeInvite } from "./invites";
import { hashPassword } from "./passwords";

// Any constant: it only serializes concurrent registrations deciding "am I the first?".
const FIRST_ADMIN_LOCK = 7_411_003;

export type CreateUserResult =
  { ok: true; userId: string; role: Role } | { ok: false; reason: "email-taken" | "invite-unusable" };

/**
 * Creates an account. The first account ever created becomes the admin; with
 * an `invite` token it gets the invite's role and uses the invite up, or is
 * not created at all when the invite is unknown, used or expired.
 */
export async function createUser(input: {
  email: string;
  name?: string;
  password: string;
  invite?: string;
}): Promise<CreateUserResult> {
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_ADMIN_LOCK})`);
    const invite = input.invite === undefined ? undefined : await takeInvite(tx, input.invite);
    if (invite === null) return { ok: false as const, reason: "invite-unusable" as const };
    const [created] = await tx
      .insert(users)
      .values({
        email: input.email,
        name: input.name || null,
        passwordHash,
        role:
          invite?.role ??
          sql`case when exists (select 1 from ${users}) then 'member'::user_role else 'admin'::user_role end`,
      })
      .onConflictDoNothing({ target: users.email })
      .returning({ id: users.id, role: users.role });
    if (!created) return { ok: false as const, reason: "email-taken" as const };
    await invite?.markUsed(created.id);
    return { ok: true as const, userId: created.id, role: created.role };
  });
}
