import { bareWord } from "../conversations/consent";

/**
 * The carriers' HELP: a contact texting HELP or INFO (and nothing else, as
 * with STOP) gets the number's help text, which says who texts them and how to
 * opt out. Neither word touches consent.
 */
const HELP = new Set(["HELP", "INFO"]);

export const isHelpRequest = (text: string) => HELP.has(bareWord(text));

/** The help text when an admin has set none: who the contact is texting, and the way out carriers require. */
export const defaultHelpText = (label: string | null) =>
  `${label ?? "Birdline"}: this number is answered by our team, so just reply with your question. Reply STOP to opt out.`;
