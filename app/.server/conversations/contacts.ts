import { eq, inArray, sql, type SQL } from "drizzle-orm";
import { db } from "../platform/db/client";
import { contacts, conversations, users } from "../platform/db/schema";
import { publish } from "../platform/event-bus";
import { accountName } from "../identity/names";

/**
 * What the team calls a contact, decided here for every page and the search:
 * the name the team gave their number, else the name (or email) of the
 * member who verified it. Keyed by the contact's number, so one name covers
 * their conversations on all of our numbers. Who may read it is access.ts's
 * (`seesInternal`).
 */

// Joined as `conversations left join contacts left join users (the owner)`.
const displayName = sql<string | null>`coalesce(${contacts.name}, ${accountName})`;

/** Each conversation's contact name, null when nobody named them and no member owns the number. */
export async function contactNamesOf(conversationIds: string[]): Promise<Map<string, string | null>> {
  if (conversationIds.length === 0) return new Map();
  const rows = await db
    .select({ id: conversations.id, name: displayName })
    .from(conversations)
    .leftJoin(contacts, eq(contacts.number, conversations.contactNumber))
    .leftJoin(users, eq(users.id, conversations.userId))
    .where(inArray(conversations.id, conversationIds));
  return new Map(rows.map((row) => [row.id, row.name]));
}

/**
 * The inbox search's name source: rows (conversation_id, rank, message_id) for
 * conversations whose contact name, as shown, contains `pattern` (a LIKE
 * pattern), or whose owner's email does. Two index-friendly halves rather than
 * one filter over every conversation.
 */
export function contactNameHits(pattern: string, rank: number): SQL {
  return sql`select ${conversations.id}, ${rank}::float8, null::uuid
             from ${contacts} join ${conversations} on ${conversations.contactNumber} = ${contacts.number}
             where ${contacts.name} ilike ${pattern}
             union all
             select ${conversations.id}, ${rank}::float8, null::uuid
             from ${users} join ${conversations} on ${conversations.userId} = ${users.id}
             where ${users.email} ilike ${pattern}
                or (${users.name} ilike ${pattern} and not exists (
                      select 1 from ${contacts} where ${contacts.number} = ${conversations.contactNumber}
                      and ${contacts.name} is not null))`;
}

export type ContactDetails = {
  /** The name the team gave them; null: none (the display name falls back to the owner's). */
  name: string | null;
  note: string | null;
  /** What the pages call them. */
  displayName: string | null;
};

/**
 * The team's details about a conversation's contact, in one query, with their
 * `spokenName`: what a saved reply's `{name}` becomes, the team's name for
 * them, else the member's own; never an email address, which is no way to
 * greet anyone.
 */
export async function contactDetails(conversation: {
  id: string;
}): Promise<{ details: ContactDetails; spokenName: string }> {
  const [row] = await db
    .select({
      name: contacts.name,
      note: contacts.note,
      displayName,
      spokenName: sql<string | null>`coalesce(${contacts.name}, ${users.name})`,
    })
    .from(conversations)
    .leftJoin(contacts, eq(contacts.number, conversations.contactNumber))
    .leftJoin(users, eq(users.id, conversations.userId))
    .where(eq(conversations.id, conversation.id));
  return {
    details: { name: row?.name ?? null, note: row?.note ?? null, displayName: row?.displayName ?? null },
    spokenName: row?.spokenName ?? "",
  };
}

/** Sets a contact's name and note (empty clears either), and tells the team's open pages. */
export async function updateContact(
  number: string,
  details: { name?: string; note?: string },
  updatedById: string,
): Promise<void> {
  const values = { name: details.name || null, note: details.note || null, updatedById, updatedAt: new Date() };
  const [contact] = await db
    .insert(contacts)
    .values({ number, ...values })
    .onConflictDoUpdate({ target: contacts.number, set: values })
    .returning({ id: contacts.id });
  const theirs = await db
    .select({ id: conversations.id })
    .from(conversations)
    .where(eq(conversations.contactNumber, number));
  for (const { id } of theirs) publish({ kind: "contact", conversationId: id, messageId: contact!.id });
}
