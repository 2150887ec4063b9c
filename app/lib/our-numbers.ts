import { z } from "zod";
import { formatPhone, normalizeProviderPhone } from "./phone";

/**
 * Our numbers as people see and type them. MessageBird accepts an E.164 number
 * or an alphanumeric sender of at most 11 characters (letters required: digits
 * alone would be read as a number), which can send but never receive.
 */
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;

/**
 * E.164 for a number in international format, the sender itself for an alphanumeric one, else null.
 * Possible rather than valid: MessageBird rents ranges (machine-to-machine, test numbers) that
 * libphonenumber does not list as valid, and the number is ours, not a typo for someone else's.
 */
export function parseOurNumber(input: string): string | null {
  const typed = input.trim();
  if (ALPHANUMERIC_SENDER.test(typed)) return typed;
  return /^(\+|00)/.test(typed) ? normalizeProviderPhone(typed) : null;
}

export const canReceive = (number: string) => number.startsWith("+");

/**
 * Why a new conversation may not start on one of our numbers, or null when it
 * may. An unlisted number (one that only ever received texts, which no admin
 * added) may not be ours to send from at all; an archived one keeps its
 * conversations but starts none.
 */
export function whyNotStartable(number: { label: string | null; number: string; archivedAt: Date | null }) {
  if (number.label === null)
    return `${formatPhone(number.number)} has only received texts: an admin adds it under Numbers before it can send.`;
  if (number.archivedAt) return `${number.label} is archived: it keeps its conversations but starts no new ones.`;
  return null;
}

/** What a number is called on screen: its label, or the number itself while it is unlisted. */
export const numberName = (number: { label: string | null; number: string }) =>
  number.label ?? formatPhone(number.number);

const label = z
  .string({ error: "Give it a label, e.g. Support NL." })
  .trim()
  .min(1, "Give it a label, e.g. Support NL.")
  .max(40, "Keep the label under 40 characters.");

const numberId = z.uuid({ error: "Pick one of our numbers." });

/** How a number's new conversations find someone: nobody does it (off), or round robin. */
export const ASSIGNMENT_MODES = ["off", "round-robin"] as const;
export const MAX_CAPACITY = 1000;

export const NumberFormSchema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("add"),
    number: z
      .string({ error: "Enter the number in international format, or an alphanumeric sender." })
      .transform((value, context) => {
        const parsed = parseOurNumber(value);
        if (parsed) return parsed;
        context.addIssue({
          code: "custom",
          message:
            "Enter a number in international format (+31 97 0102 0304) or a sender name of 1-11 letters and digits.",
        });
        return z.NEVER;
      }),
    label,
  }),
  z.object({ intent: z.literal("rename"), numberId, label }),
  z.object({ intent: z.literal("archive"), numberId }),
  z.object({
    intent: z.literal("auto-assign"),
    numberId,
    mode: z.enum(ASSIGNMENT_MODES, { error: "Choose off or round robin." }),
    capacity: z
      .number({ error: "A whole number of conversations, or leave it empty for no limit." })
      .int("A whole number of conversations, or leave it empty for no limit.")
      .min(1, "At least 1, or leave it empty for no limit.")
      .max(MAX_CAPACITY, `At most ${MAX_CAPACITY}, or leave it empty for no limit.`)
      .optional(),
  }),
]);
