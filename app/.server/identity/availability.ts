import { and, eq, sql } from "drizzle-orm";
import { db } from "../platform/db/client";
import { users } from "../platform/db/schema";
import { activeStaff } from "../conversations/access";

/**
 * Whether an agent or admin is at work. Away people keep what they have but
 * get no new conversations from automations (automations/round-robin.ts);
 * people may still assign them by hand. Members have no availability.
 */

/** True while `userId` has said they are away. */
export async function isAway(userId: string): Promise<boolean> {
  const [row] = await db.select({ awaySince: users.awaySince }).from(users).where(eq(users.id, userId));
  return row?.awaySince != null;
}

/** Marks an agent or admin away (from now, unless already away) or available; a member's id changes nothing. */
export async function setAway(userId: string, away: boolean): Promise<void> {
  await db
    .update(users)
    .set({ awaySince: away ? sql`coalesce(${users.awaySince}, now())` : null })
    .where(and(eq(users.id, userId), activeStaff()));
}
