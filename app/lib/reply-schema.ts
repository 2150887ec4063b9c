import { z } from "zod";
import { countSegments, MAX_SEGMENTS } from "./segments";

/** The text of an SMS, not trimmed: it goes out exactly as typed, in at most MAX_SEGMENTS parts. */
export const smsText = (missing: string) =>
  z
    .string({ error: missing })
    .refine((body) => body.trim() !== "", { error: missing })
    .refine((body) => countSegments(body).segments <= MAX_SEGMENTS, {
      error: `That is more than ${MAX_SEGMENTS} SMS. Shorten it a little.`,
    });

export const ReplySchema = z.object({
  intent: z.literal("send"),
  body: smsText("Type a message first."),
  idempotencyKey: z.uuid({ error: "This form is out of date. Reload the page." }),
});

/** A reply's outbox buttons: try it now (waiting or failed), or withdraw it before it goes out. */
export const OutboxActionSchema = z.object({
  intent: z.enum(["send-now", "cancel"]),
  messageId: z.uuid(),
});

/** Texting someone first: who, from which of our numbers, and the first message. */
export const NewConversationSchema = ReplySchema.omit({ intent: true }).extend({
  to: z
    .string({ error: "Enter the number to text." })
    .trim()
    .max(32, { error: "That is too long for a phone number." })
    .regex(/^[+\d][\d\s().-]*$/, { error: "Use digits, spaces and an optional leading +." }),
  numberId: z.uuid({ error: "Pick one of our numbers." }),
});

/** Empty `assigneeId`: nobody. Whether the id is someone on the team is the server's to check. */
export const AssignSchema = z.object({
  intent: z.literal("assign"),
  assigneeId: z
    .string()
    .optional()
    .transform((id) => id || null),
});
