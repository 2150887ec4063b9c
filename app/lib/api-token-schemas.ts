import { z } from "zod";

// The form of /settings/tokens, checked in the browser for instant feedback and on the server for the truth.

export const TOKEN_SCOPES = ["read", "read+send"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const SCOPE_LABELS: Record<TokenScope, { label: string; hint: string }> = {
  read: { label: "Read", hint: "List and read conversations, messages and numbers." },
  "read+send": { label: "Read and send", hint: "Also send SMS, and assign, resolve and label conversations." },
};

export const TOKEN_NAME_MAX = 60;
export const MAX_EXPIRY_DAYS = 3650;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The end of that day in UTC: a token "valid until 31 May" works all of 31 May wherever its user is, give or take a day. */
export const endOfDay = (date: string) => new Date(`${date}T23:59:59.999Z`);

export const CreateTokenSchema = z
  .object({
    intent: z.literal("create"),
    name: z
      .string({ error: "Name it after what uses it, e.g. CRM sync." })
      .trim()
      .min(1, "Name it after what uses it, e.g. CRM sync.")
      .max(TOKEN_NAME_MAX, `Keep the name to ${TOKEN_NAME_MAX} characters.`),
    scope: z.enum(TOKEN_SCOPES, { error: "Choose what the token may do." }),
    expiresInDays: z
      .number({ error: "A whole number of days." })
      .int("A whole number of days.")
      .min(1, "At least 1 day.")
      .max(MAX_EXPIRY_DAYS, `At most ${MAX_EXPIRY_DAYS} days.`)
      .optional(),
    expiresOn: z
      .string()
      .regex(ISO_DATE, "A date such as 2027-05-31.")
      .refine((date) => !Number.isNaN(endOfDay(date).getTime()), "A date such as 2027-05-31.")
      .refine((date) => endOfDay(date).getTime() > Date.now(), "Choose a day that has not passed.")
      .optional(),
  })
  .refine((token) => token.expiresInDays === undefined || token.expiresOn === undefined, {
    path: ["expiresOn"],
    error: "Give a number of days or a date, not both.",
  });

export const RevokeTokenSchema = z.object({
  intent: z.literal("revoke"),
  // Not checked for shape: an id that names none of your tokens is a 404, however it is spelled.
  tokenId: z.string().max(64),
});

export const TokenFormSchema = z.union([CreateTokenSchema, RevokeTokenSchema]);
