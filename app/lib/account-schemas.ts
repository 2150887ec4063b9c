import { z } from "zod";

// One schema per form, used by the browser (instant feedback) and the server (the truth).

const email = z
  .string({ error: "Enter your email address" })
  .trim()
  .toLowerCase()
  .max(254, { error: "That email address is too long" })
  .pipe(z.email({ error: "Enter an email address like name@example.com" }));

export const LoginSchema = z.object({
  email,
  password: z.string({ error: "Enter your password" }).max(128, { error: "Passwords are at most 128 characters" }),
  redirectTo: z.string().optional(),
});

export const RegisterSchema = z
  .object({
    name: z.string().trim().max(100, { error: "Keep the name under 100 characters" }).optional(),
    email,
    password: z
      .string({ error: "Choose a password" })
      .min(8, { error: "Use at least 8 characters" })
      .max(128, { error: "Use at most 128 characters" }),
    confirmPassword: z.string({ error: "Type the password again" }),
    redirectTo: z.string().optional(),
    /** The token from an invite link, carried by the form the link opened. */
    invite: z.string().max(100).optional(),
  })
  .refine((value) => value.password === value.confirmPassword, {
    path: ["confirmPassword"],
    error: "The passwords do not match",
  });
