import { eq } from "drizzle-orm";
import { db } from "../platform/db/client";
import { notificationSettings } from "../platform/db/schema";

export type NotificationPreferences = Omit<typeof notificationSettings.$inferSelect, "userId">;

/** Without a row, what a new account gets: told about new conversations and its own, not about every unassigned one. */
export const DEFAULT_PREFERENCES: NotificationPreferences = {
  newConversation: true,
  assignedToMe: true,
  unassigned: false,
  hideText: false,
};

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
