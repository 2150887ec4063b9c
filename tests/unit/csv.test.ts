import { describe, expect, test } from "vitest";
import { csvField, csvRecord } from "~/.server/platform/csv";

describe("CSV fields", () => {
  test.each([
    ["plain text", '"plain text"'],
    ["", '""'],
    ["a, b", '"a, b"'],
    ["a; b", '"a; b"'],
    ['say "hi"', '"say ""hi"""'],
    ["two\nlines", '"two\nlines"'],
    ["windows\r\nline", '"windows\r\nline"'],
    ["emoji 👋 ünïcode", '"emoji 👋 ünïcode"'],
  ])("%j is written quoted, as %j, so no separator (comma or semicolon) splits it", (value, written) => {
    expect(csvField(value)).toBe(written);
  });

  test.each([
    ['=HYPERLINK("http://evil")', '"\'=HYPERLINK(""http://evil"")"'],
    ["+31 6 1234", '"\'+31 6 1234"'],
    ["-2+3", '"\'-2+3"'],
    ["@SUM(A1)", '"\'@SUM(A1)"'],
    ["\tcmd", '"\'\tcmd"'],
    ["\rcmd", '"\'\rcmd"'],
  ])("a cell starting like a formula, %j, stays text: %j", (value, written) => {
    expect(csvField(value)).toBe(written);
  });

  // Where the list separator is ";" (NL, DE, FR), a spreadsheet may split there and start a new cell.
  test.each([
    ["thanks;=1+1", '"thanks;\'=1+1"'],
    ["a;+b;-c;@d", "\"a;'+b;'-c;'@d\""],
    [";=1", '";\'=1"'],
    ["=1;=2", "\"'=1;'=2\""],
  ])("a formula after a semicolon, %j, stays text too: %j", (value, written) => {
    expect(csvField(value)).toBe(written);
  });

  test("a formula character elsewhere in the cell is left alone", () => {
    expect(csvField("1+1=2 @home; ok")).toBe('"1+1=2 @home; ok"');
  });

  test("a record is its fields joined by commas, ended by CRLF", () => {
    expect(csvRecord(["a", "b,c", "=1"])).toBe('"a","b,c","\'=1"\r\n');
  });
});
