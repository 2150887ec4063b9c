import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { db } from "../platform/db/client";
import { conversationLabels, conversations, labels } from "../platform/db/schema";
import { isUniqueViolation } from "../platform/db/unique-violation";
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

export type LabelChange = { ok: true } | { ok: false; field: "name" | "labelId"; message: string; status: number };

const DUPLICATE: LabelChange = {
  ok: false,
  field: "name",
  message: "There is a label with this name already.",
  status: 409,
};
const NOT_FOUND: LabelChange = { ok: false, field: "labelId", message: "There is no such label.", status: 404 };

/** A new label; a name the team has already (however capitalised) is refused. */
export async function createLabel({ name, colour }: { name: string; colour: LabelColour }): Promise<LabelChange> {
  try {
    await db.insert(labels).values({ name, colour });
    return { ok: true };
  } catch (error) {
    if (isUniqueViolation(error)) return DUPLICATE;
    throw error;
  }
}

/** Renames and recolours a label: every conversation carrying it shows the change. */
export async function updateLabel(input: { labelId: string; name: string; colour: LabelColour }): Promise<LabelChange> {
  try {
    const updated = await db
      .update(labels)
      .set({ name: input.name, colour: input.colour })
      .where(eq(labels.id, input.labelId))
      .returning({ id: labels.id });
    return updated.length > 0 ? { ok: true } : NOT_FOUND;
  } catch (error) {
    if (isUniqueViolation(error)) return DUPLICATE;
    throw error;
  }
}

/** Deletes a label, and takes it off every conversation. */
export async function deleteLabel(labelId: string): Promise<LabelChange> {
  const deleted = await db.delete(labels).where(eq(labels.id, labelId)).returning({ id: labels.id });
  return deleted.length > 0 ? { ok: true } : NOT_FOUND;
}

/** How many conversations carry each label, for the admin's list. */
export async function labelUsage(): Promise<Map<string, number>> {
  const rows = await db
    .select({ labelId: conversationLabels.labelId, count: sql<number>`count(*)::int` })
    .from(conversationLabels)
    .groupBy(conversationLabels.labelId);
  return new Map(rows.map((row) => [row.labelId, row.count]));
}

/** A condition on `conversations`: it carries the label with this id. */
export const carriesLabel = (labelId: string) =>
  sql`exists (select 1 from ${conversationLabels} where ${conversationLabels.conversationId} = ${conversations.id}
              and ${conversationLabels.labelId} = ${labelId})`;

/** A condition on `conversations`: it carries a label of this name (search's `label:billing`, any capitalisation). */
export const carriesLabelNamed = (name: string) =>
  sql`exists (select 1 from ${conversationLabels} join ${labels} on ${labels.id} = ${conversationLabels.labelId}
              where ${conversationLabels.conversationId} = ${conversations.id} and lower(${labels.name}) = lower(${name}))`;
