import { and, eq, isNull, type SQL } from "drizzle-orm";
import { db } from "../platform/db/client";
import { conversations } from "../platform/db/schema";
import { publish } from "../platform/event-bus";

export type Suppressed = { status: "opted-out" | "unchanged"; conversations: number };

/**
 * The provider stopped sending to a contact (Bird's suppression list, after a
 * STOP Bird handled itself): the conversation shows it as opted out and
 * replies are refused, as after a STOP we read ourselves. Only on our number
 * when the provider names it; an earlier opt-out keeps its time.
 */
export async function recordSuppression({
  contact,
  ourNumber,
  at = new Date(),
}: {
  contact: string;
  ourNumber: string | null;
  at?: Date;
}): Promise<Suppressed> {
  const where: SQL[] = [eq(conversations.contactNumber, contact), isNull(conversations.optedOutAt)];
  if (ourNumber) where.push(eq(conversations.virtualNumber, ourNumber));
  const changed = await db
    .update(conversations)
    .set({ optedOutAt: at })
    .where(and(...where))
    .returning({ id: conversations.id });
  // The thread's consent banner is conversation state, as a handling change is.
  for (const { id } of changed) publish({ kind: "handling", conversationId: id, messageId: crypto.randomUUID() });
  return { status: changed.length > 0 ? "opted-out" : "unchanged", conversations: changed.length };
}
