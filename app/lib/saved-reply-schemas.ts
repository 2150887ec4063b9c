import { z } from "zod";
import { smsText } from "./reply-schema";

// The forms of /settings/replies, checked in the browser for instant feedback and on the server for the truth.

export const TITLE_MAX = 80;

const title = z
  .string({ error: "Give it a short title, e.g. Opening hours." })
  .trim()
  .min(1, "Give it a short title, e.g. Opening hours.")
  .max(TITLE_MAX, `Keep the title to ${TITLE_MAX} characters.`);

// The limits of a reply (placeholders counted as typed; the filled text is checked again on send).
const body = smsText("Write the text of the reply.");

// Not checked for shape: an id that names nothing is a 404, however it is spelled.
const replyId = z.string({ error: "Choose a saved reply." }).max(64, "Choose a saved reply.");

export const SavedReplySchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create"), title, body }),
  z.object({ intent: z.literal("update"), replyId, title, body }),
  z.object({ intent: z.literal("delete"), replyId }),
]);
