/**
 * Carrier opt-out handling: STOP and its synonyms opt a number out, START opts it back in. Only a message
 * that is the keyword and nothing else counts: "stop the 9am reminders" is a
 * conversation, not a withdrawal of consent. Punctuation and symbols around
 * it ("Stop.", "STOP!", "stop 🛑") are just how people type it.
 */
const OPT_OUT = new Set(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "REVOKE"]);
const OPT_IN = new Set(["START", "UNSTOP", "YES"]);

const AROUND_THE_WORD = /^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu;

export type ConsentKeyword = "opt-out" | "opt-in";

/** A message as a carrier keyword would be read: without what surrounds the word, in capitals. */
export const bareWord = (text: string) => text.replace(AROUND_THE_WORD, "").toUpperCase();

export function consentKeyword(text: string): ConsentKeyword | null {
  const word = bareWord(text);
  if (OPT_OUT.has(word)) return "opt-out";
  if (OPT_IN.has(word)) return "opt-in";
  return null;
}
