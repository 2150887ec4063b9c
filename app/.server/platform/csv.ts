/**
 * CSV as RFC 4180 writes it (CRLF between records, quotes doubled), made safe
 * to open in a spreadsheet (OWASP's CSV injection advice):
 * - every cell is quoted, so neither a comma nor a semicolon (the list
 *   separator in NL, DE and FR) splits it;
 * - a cell that starts like a formula (`=`, `+`, `-`, `@`, tab, carriage
 *   return) gets a leading `'`, and so does every part after a `;`, in case a
 *   spreadsheet splits there after all: an SMS saying `=HYPERLINK(…)` or
 *   `thanks;=1+1` stays text.
 */

const FORMULA_START = /(^|;)(?=[=+\-@\t\r])/g;

export const csvField = (value: string) => `"${value.replace(FORMULA_START, "$1'").replaceAll('"', '""')}"`;

export const csvRecord = (fields: readonly string[]) => `${fields.map(csvField).join(",")}\r\n`;

// Excel reads a CSV without this byte order mark as its local code page, mangling emoji and accents.
export const CSV_BOM = "\uFEFF";

/** A CSV file as a download that no cache keeps. */
export const csvDownload = (csv: string, fileName: string) =>
  new Response(csv, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${fileName}"`,
      "Cache-Control": "private, no-store",
    },
  });
