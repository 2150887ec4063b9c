import { z } from "zod";

/**
 * Label colours: a fixed palette, named, so every label's chip keeps readable
 * contrast in the UI and a screen reader hears a word, not a hex code.
 */
export const LABEL_COLOURS = ["grey", "red", "orange", "yellow", "green", "teal", "blue", "purple", "pink"] as const;
export type LabelColour = (typeof LABEL_COLOURS)[number];

export const LABEL_NAME_MAX = 40;

export const labelName = z
  .string({ error: "Name the label, e.g. billing." })
  .trim()
  .min(1, "Name the label, e.g. billing.")
  .max(LABEL_NAME_MAX, `Keep the name to ${LABEL_NAME_MAX} characters.`)
  // `label:billing` in search takes one word: a space or a quote would end it.
  .regex(/^[^\s"]+$/, "Use one word: letters, digits, - or _ (no spaces or quotes).");

export const labelColour = z.enum(LABEL_COLOURS, { error: "Choose one of the colours." });
