import { z } from "zod";
import { countSegments, MAX_SEGMENTS } from "./segments";

export const ReplySchema = z.object({
  intent: z.literal("send"),
  // Not trimmed: the SMS goes out exactly as typed.
  body: z
    .string({ error: "Type a message first." })
    .refine((body) => body.trim() !== "", { error: "Type a message first." })
    .refine((body) => countSegments(body).segments <= MAX_SEGMENTS, {
      error: `That is more than ${MAX_SEGMENTS} SMS. Shorten it a little.`,
    }),
  idempotencyKey: z.uuid({ error: "This form is out of date. Reload the page." }),
});

export const RetrySchema = z.object({
  intent: z.literal("retry"),
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
