import { z } from "zod";

// The thread's side panel for the team: contact details, internal notes, erase.
// Checked in the browser for instant feedback and on the server for the truth.

export const CONTACT_NAME_MAX = 80;
export const CONTACT_NOTE_MAX = 2_000;
export const NOTE_BODY_MAX = 2_000;

/** An empty field clears it: conform sends nothing for an empty input. */
export const ContactSchema = z.object({
  intent: z.literal("update-contact"),
  name: z
    .string()
    .trim()
    .max(CONTACT_NAME_MAX, { error: `Keep the name to ${CONTACT_NAME_MAX} characters.` })
    .optional(),
  note: z
    .string()
    .trim()
    .max(CONTACT_NOTE_MAX, { error: `Keep the note to ${CONTACT_NOTE_MAX.toLocaleString("en")} characters.` })
    .optional(),
});

export const AddNoteSchema = z.object({
  intent: z.literal("add-note"),
  body: z
    .string({ error: "Write the note first." })
    .trim()
    .min(1, { error: "Write the note first." })
    .max(NOTE_BODY_MAX, { error: `Keep a note to ${NOTE_BODY_MAX.toLocaleString("en")} characters.` }),
});

// Not checked for shape: an id that names nothing of yours is a 404, however it is spelled.
export const DeleteNoteSchema = z.object({
  intent: z.literal("delete-note"),
  noteId: z.string().max(64),
});

/** Whether the typed number is the contact's is the server's to decide (it knows the default country). */
export const EraseSchema = z.object({
  intent: z.literal("erase"),
  confirmNumber: z
    .string({ error: "Type the contact's number to confirm." })
    .trim()
    .max(32, { error: "That is too long for a phone number." }),
});
