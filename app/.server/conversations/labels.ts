import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { db } from "../platform/db/client";
import { conversationLabels, labels } from "../platform/db/schema";
import { publish } from "../platform/event-bus";
import { isUuid } from "../platform/db/uuid";
import type { LabelColour } from "~/lib/labels";

/**
 * The team's labels and which conversations carry them. Labels are internal:
 * callers check that the acting user is staff and may see the conversation
 * (access.ts); a member's pages never read them.
 */

export type Label = { id: string; name: string; colour: LabelColour };

const columns = { id: labels.id, name: labels.name, colour: sql<LabelColour>`${labels.colour}` };

/** Every label, by name. */
export async function listLabels(): Promise<Label[]> {
  return db
    .select(columns)
    .from(labels)
    .orderBy(sql`lower(${labels.name})`, asc(labels.id));
}

/** The labels of each conversation in `conversationIds`, by name; conversations without any are absent. */
export async function labelsOf(conversationIds: string[]): Promise<Map<string, Label[]>> {
  const byConversation = new Map<string, Label[]>();
  if (conversationIds.length === 0) return byConversation;
  const rows = await db
    .select({ conversationId: conversationLabels.conversationId, ...columns })
    .from(conversationLabels)
    .innerJoin(labels, eq(labels.id, conversationLabels.labelId))
    .where(inArray(conversationLabels.conversationId, conversationIds))
    .orderBy(sql`lower(${labels.name})`, asc(labels.id));
  for (const { conversationId, ...label } of rows) {
    const list = byConversation.get(conversationId) ?? [];
    list.push(label);
    byConversation.set(conversationId, list);
  }
  return byConversation;
}

/**
 * Puts the label on the conversation (`on`) or takes it off. Doing what is
 * already done changes nothing and still succeeds; false only when no such
 * label exists (a 404 or a field error upstream).
 */
export async function labelConversation(conversationId: string, labelId: string, on: boolean): Promise<boolean> {
  if (!isUuid(labelId)) return false;
  const [label] = await db.select({ id: labels.id }).from(labels).where(eq(labels.id, labelId));
  if (!label) return false;
  const changed = on
    ? await db.insert(conversationLabels).values({ conversationId, labelId }).onConflictDoNothing().returning()
    : await db
        .delete(conversationLabels)
        .where(and(eq(conversationLabels.conversationId, conversationId), eq(conversationLabels.labelId, labelId)))
        .returning();
  // The team's lists and threads show labels: a change refreshes them, like a change of assignee.
  if (changed.length > 0) publish({ kind: "handling", conversationId, messageId: crypto.randomUUID() });
  return true;
}
