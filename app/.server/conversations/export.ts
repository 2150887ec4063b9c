import { asc, eq } from "drizzle-orm";
import { CSV_BOM, csvRecord } from "../platform/csv";
import { db } from "../platform/db/client";
import { messages, users } from "../platform/db/schema";
import type { Conversation } from "./access";
import { teamAuthorLabel, threadColumns } from "./threads";
import { labelsOf } from "./labels";

/**
 * A conversation as a spreadsheet, for an admin answering a data-protection
 * request or keeping a record: every message, oldest first, with the
 * conversation's labels. Who may export is
 * the route's to check, which conversation access.ts's.
 */

// The conversation's labels on every row, so a sheet filtered or merged with others keeps them.
const HEADER = ["time", "direction", "from", "to", "author", "status", "body", "labels"];

export async function conversationCsv(conversation: Pick<Conversation, "id">): Promise<{ csv: string; count: number }> {
  const [rows, labels] = await Promise.all([
    db
      .select({ ...threadColumns, fromNumber: messages.fromNumber, toNumber: messages.toNumber })
      .from(messages)
      .leftJoin(users, eq(users.id, messages.authorUserId))
      .where(eq(messages.conversationId, conversation.id))
      .orderBy(asc(messages.createdAt), asc(messages.id)),
    labelsOf([conversation.id]),
  ]);
  const labelNames = (labels.get(conversation.id) ?? []).map((label) => label.name).join(" ");
  const lines = rows.map((message) =>
    csvRecord([
      message.createdAt.toISOString(),
      message.direction,
      message.fromNumber,
      message.toNumber,
      teamAuthorLabel(message) ?? "Contact",
      message.status,
      message.body,
      labelNames,
    ]),
  );
  return { csv: CSV_BOM + csvRecord(HEADER) + lines.join(""), count: rows.length };
}

/** `birdline-31612345678-2026-11-26.csv`: whose conversation, and when it was taken. */
export const exportFileName = (conversation: Pick<Conversation, "contactNumber">, now = new Date()) =>
  `birdline-${conversation.contactNumber.replace(/[^\dA-Za-z]/g, "")}-${now.toISOString().slice(0, 10)}.csv`;
