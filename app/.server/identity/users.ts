import { sql } from "drizzle-orm";
import { db } from "../platform/db/client";
import { users } from "../platform/db/schema";
import { hashPassword } from "./passwords";

// Any constant: it only serializes concurrent registrations deciding "am I the first?".
const FIRST_ADMIN_LOCK = 7_411_003;

export type CreateUserResult = { ok: true; userId: string } | { ok: false; reason: "email-taken" };

/** Creates an account. The first account ever created becomes the admin. */
export async function createUser(input: { email: string; name?: string; password: string }): Promise<CreateUserResult> {
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${FIRST_ADMIN_LOCK})`);
    const [created] = await tx
      .insert(users)
      .values({
        email: input.email,
        name: input.name || null,
        passwordHash,
        role: sql`case when exists (select 1 from ${users}) then 'member'::user_role else 'admin'::user_role end`,
      })
      .onConflictDoNothing({ target: users.email })
      .returning({ id: users.id });
    return created ? { ok: true as const, userId: created.id } : { ok: false as const, reason: "email-taken" as const };
  });
}
