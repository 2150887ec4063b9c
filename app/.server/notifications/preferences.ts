import { eq, getTableColumns } from "drizzle-orm";
import { db } from "../platform/db/client";
import { notificationSettings } from "../platform/db/schema";

export type NotificationPreferences = Omit<typeof notificationSettings.$inferSelect, "userId">;

/**
 * Without a row, what a new account gets: the columns' defaults (schema.ts), every text that
 * someone on the team should answer (new, theirs, or nobody's yet); a colleague's stay quiet.
 */
const { userId: _, ...preferenceColumns } = getTableColumns(notificationSettings);
export const DEFAULT_PREFERENCES = Object.fromEntries(
  Object.entries(preferenceColumns).map(([name, column]) => [name, column.default]),
) as NotificationPreferences;

export async function preferencesOf(userId: string): Promise<NotificationPreferences> {
  const [row] = await db.select().from(notificationSettings).where(eq(notificationSettings.userId, userId));
  if (!row) return DEFAULT_PREFERENCES;
  const { userId: _, ...preferences } = row;
  return preferences;
}

export async function savePreferences(userId: string, preferences: NotificationPreferences): Promise<void> {
  await db
    .insert(notificationSettings)
    .values({ userId, ...preferences })
    .onConflictDoUpdate({ target: notificationSettings.userId, set: preferences });
}
