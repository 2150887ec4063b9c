import { eq, inArray, sql } from "drizzle-orm";
import { normalizeProviderPhone, parseUserPhone } from "~/lib/phone";
import { db } from "../platform/db/client";
import { contacts, conversations, messages, notes } from "../platform/db/schema";
import { publish } from "../platform/event-bus";
import { env } from "../platform/env";
import { log } from "../platform/log";
import { forgetHandset } from "../sms/simulator";
import { forgetNumberInRejections } from "../webhooks/rejections";

/**
 * Erasing a contact for a data-protection request: every conversation with
 * their number, on every one of our numbers, with its messages, notes and read
 * marks, the team's details about them, and what else kept their number and
 * words: the webhook rejection log's excerpts and the simulator's handset.
 * Their member account, if any, is theirs to delete and stays.
 */

export type EraseOutcome = { ok: true } | { ok: false; message: string };

/** Whether `typed` (any common format) is `number`: the confirmation an admin types. */
const confirms = (typed: string, number: string) =>
  (parseUserPhone(typed, env.defaultCountry) ?? normalizeProviderPhone(typed)) === number;

// Enough to find the request again in the log; the whole number would make the log a copy of what was erased.
const masked = (number: string) => `${number.slice(0, 3)}…${number.slice(-2)}`;

export async function eraseContact(
  contactNumber: string,
  confirmation: string,
  admin: { id: string; email: string | null },
): Promise<EraseOutcome> {
  if (!confirms(confirmation, contactNumber))
    return { ok: false, message: "That is not this contact's number. Nothing was erased." };
  const erased = await db.transaction(async (tx) => {
    const theirs = await tx
      .select({ id: conversations.id })
      .from(conversations)
      .where(eq(conversations.contactNumber, contactNumber))
      .for("update");
    const ids = theirs.map((row) => row.id);
    // Counted before the cascade removes them: the log says how much went, never what it said.
    const [counts] = ids.length
      ? await tx
          .select({
            messages: sql<number>`(select count(*)::int from ${messages} where ${inArray(messages.conversationId, ids)})`,
            notes: sql<number>`(select count(*)::int from ${notes} where ${inArray(notes.conversationId, ids)})`,
          })
          .from(sql`(values (1)) as one_row`)
      : [{ messages: 0, notes: 0 }];
    // Messages, notes and read marks go with their conversation (on delete cascade).
    await tx.delete(conversations).where(eq(conversations.contactNumber, contactNumber));
    await tx.delete(contacts).where(eq(contacts.number, contactNumber));
    await forgetNumberInRejections(tx, contactNumber);
    await forgetHandset(tx, contactNumber);
    return { conversationIds: ids, messages: counts!.messages, notes: counts!.notes };
  });
  log.info("contact erased", {
    by: admin.id,
    byEmail: admin.email,
    contact: masked(contactNumber),
    conversations: erased.conversationIds.length,
    messages: erased.messages,
    notes: erased.notes,
  });
  // Team pages showing them reload (and find them gone); the member was never told about the team's side.
  for (const id of erased.conversationIds) publish({ kind: "contact", conversationId: id, messageId: id });
  return { ok: true };
}
