/**
 * CSV as RFC 4180 writes it (CRLF between records; a field with a comma,
 * quote or line break quoted, its quotes doubled), made safe to open in a
 * spreadsheet: a cell that starts like a formula (`=`, `+`, `-`, `@`, tab,
 * carriage return) gets a leading `'`, so an SMS saying `=HYPERLINK(…)` stays
 * text (OWASP's CSV injection advice).
 */

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvField(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export const csvRecord = (fields: readonly string[]) => `${fields.map(csvField).join(",")}\r\n`;
