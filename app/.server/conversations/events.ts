import { conversationEvents } from "../platform/db/schema";
import type { Db } from "../platform/db/connect";

export type ConversationEvent = typeof conversationEvents.$inferInsert;

/** Records a change of handling in the caller's transaction, so it is written exactly when the change is. */
export async function recordEvent(tx: Db, event: ConversationEvent): Promise<void> {
  await tx.insert(conversationEvents).values(event);
}
