/**
 * Placeholders a saved reply may hold, filled in when it is inserted into the reply box, so the
 * agent sees, counts and sends exactly the text that goes out. Server (`?reply=`) and browser
 * (the picker) both fill through this one function.
 */
export type PlaceholderValues = {
  /** The contact's name; empty when nobody knows it. */
  name: string;
  /** The sending agent's name. */
  agent: string;
};

export const PLACEHOLDERS = ["{name}", "{agent}"] as const;

// The spaces before a placeholder and the punctuation and spaces after it come along, so an
// empty value can take them out with it: "Hi {name}, thanks" → "Hi, thanks", not "Hi , thanks".
const PLACEHOLDER = /([ \t]*)\{(name|agent)\}([,;:]?[ \t]*)/g;

/** `template` with `{name}` and `{agent}` filled in; any other `{…}` stays as typed. */
export function fillPlaceholders(template: string, values: PlaceholderValues): string {
  return template.replace(
    PLACEHOLDER,
    (match, before: string, key: keyof PlaceholderValues, after: string, offset: number, whole: string) => {
      const value = values[key].trim();
      if (value !== "") return `${before}${value}${after}`;
      // Nothing known: the words around it close up. At the start of a line the punctuation goes
      // too ("{name}, your order" → "your order"); at its end, the trailing spaces.
      const end = offset + match.length;
      if (offset === 0 || whole[offset - 1] === "\n") return "";
      if (end === whole.length || whole[end] === "\n") return after.trimEnd();
      return after;
    },
  );
}
