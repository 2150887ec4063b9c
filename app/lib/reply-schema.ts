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

/** Empty `assigneeId`: nobody. Whether the id is someone on the team is the server's to check. */
export const AssignSchema = z.object({
  intent: z.literal("assign"),
  assigneeId: z
    .string()
    .optional()
    .transform((id) => id || null),
});
