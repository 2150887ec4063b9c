import { eq } from "drizzle-orm";
import type { WeeklyHours } from "~/lib/business-hours";
import type { HoursInput } from "~/lib/hours-schema";
import { db } from "../platform/db/client";
import { numberAutomations } from "../platform/db/schema";

/** What one of our numbers answers by itself: its hours and away message, and its help text. */

export type NumberAutomations = {
  hoursOn: boolean;
  timeZone: string;
  weeklyHours: WeeklyHours;
  awayMessage: string;
  helpText: string | null;
};

export const SUGGESTED_AWAY_MESSAGE =
  "Thanks for your message! We are closed right now and will answer as soon as we are back.";

/** A number's settings, or null while nobody has saved any (hours off, the default help text). */
export async function automationsOf(numberId: string): Promise<NumberAutomations | null> {
  const [row] = await db.select().from(numberAutomations).where(eq(numberAutomations.numberId, numberId));
  return row ?? null;
}

export async function saveAutomations(numberId: string, input: HoursInput): Promise<void> {
  const settings = {
    hoursOn: input.enabled,
    timeZone: input.timeZone,
    weeklyHours: input.days,
    awayMessage: input.awayMessage,
    helpText: input.helpText ?? null,
    updatedAt: new Date(),
  };
  await db
    .insert(numberAutomations)
    .values({ numberId, ...settings })
    .onConflictDoUpdate({ target: numberAutomations.numberId, set: settings });
}
