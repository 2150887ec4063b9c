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

const labelId = z.uuid({ error: "Choose one of the labels." });

/** The forms of /team/labels: one schema, checked in the browser and on the server. */
export const LabelFormSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("create"), name: labelName, colour: labelColour }),
  z.object({ intent: z.literal("update"), labelId, name: labelName, colour: labelColour }),
  z.object({ intent: z.literal("delete"), labelId }),
]);

/** A label put on (`on=1`) or taken off (`on=0`) a conversation, from its thread. */
export const LabelConversationSchema = z.object({
  labelId,
  on: z.enum(["0", "1"], { error: "Say whether to add or remove it." }).transform((on) => on === "1"),
});

/** Chip colours as Tailwind classes, written out whole so the build keeps them: dark text on a pale fill (AA). */
export const LABEL_CHIP: Record<LabelColour, string> = {
  grey: "bg-slate-100 text-slate-800 ring-slate-300",
  red: "bg-red-100 text-red-900 ring-red-300",
  orange: "bg-orange-100 text-orange-900 ring-orange-300",
  yellow: "bg-yellow-100 text-yellow-900 ring-yellow-300",
  green: "bg-green-100 text-green-900 ring-green-300",
  teal: "bg-teal-100 text-teal-900 ring-teal-300",
  blue: "bg-blue-100 text-blue-900 ring-blue-300",
  purple: "bg-purple-100 text-purple-900 ring-purple-300",
  pink: "bg-pink-100 text-pink-900 ring-pink-300",
};

/** `label:billing` words in a search: the label names (as typed), and the rest of the search. */
export function splitLabelSearch(q: string): { labels: string[]; words: string } {
  const labels: string[] = [];
  const words = q
    .replace(/(?:^|\s)label:(\S+)/gi, (_, name: string) => {
      labels.push(name);
      return " ";
    })
    .replace(/\s+/g, " ")
    .trim();
  return { labels, words };
}
