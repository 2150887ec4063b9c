import { and, eq, getTableColumns, notExists, sql } from "drizzle-orm";
import { db } from "../platform/db/client";
import { conversations, messages, users } from "../platform/db/schema";
import type { OurNumber } from "../sms/numbers";
import { sendReply, type SendFailure } from "./outbound";

export type StartResult = { ok: true; conversationId: string } | SendFailure;

/**
 * Texts a contact first: finds or creates their conversation on the chosen
 * number of ours and sends through the same path as every reply (limits,
 * opt-out, idempotency). A refused first message leaves no empty conversation.
 */
export async function startConversation({
  contactNumber,
  ourNumber,
  authorId,
  body,
  idempotencyKey,
}: {
  contactNumber: string;
  /** Not archived: the caller picked it from the startable numbers. */
  ourNumber: Pick<OurNumber, "number">;
  authorId: string;
  body: string;
  idempotencyKey: string;
}): Promise<StartResult> {
  const [conversation] = await db
    .insert(conversations)
    .values({
      contactNumber,
      virtualNumber: ourNumber.number,
      userId: sql`(select ${users.id} from ${users} where ${users.phoneNumber} = ${contactNumber})`,
    })
    // A no-op update, so an existing conversation comes back too.
    .onConflictDoUpdate({
      target: [conversations.contactNumber, conversations.virtualNumber],
      set: { contactNumber: sql`excluded.contact_number` },
    })
    .returning({ ...getTableColumns(conversations), created: sql<boolean>`xmax = 0` });
  const { created, ...found } = conversation!;
  const sent = await sendReply({ conversation: found, authorId, body, idempotencyKey });
  if (sent.ok) return { ok: true, conversationId: found.id };
  if (created) {
    // Unless an SMS from them arrived meanwhile: then it is a conversation after all.
    await db
      .delete(conversations)
      .where(
        and(
          eq(conversations.id, found.id),
          notExists(db.select().from(messages).where(eq(messages.conversationId, found.id))),
        ),
      );
  }
  return sent;
}
