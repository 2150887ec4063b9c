import { expect, test } from "vitest";
import { safeRedirect } from "~/lib/redirect";

test.each([
  ["/settings/phone", "/settings/phone"],
  ["/messages/abc?page=2#end", "/messages/abc?page=2#end"],
  ["/a/../b", "/b"],
])("same-site path %s is honored as %s", (input, expected) => {
  expect(safeRedirect(input)).toBe(expected);
});

test.each([
  "https://evil.example",
  "//evil.example",
  "/\\evil.example",
  "/\t/evil.example",
  "/.//evil.example",
  "/..//evil.example",
  "/a/..//evil.example",
  "/%2e//evil.example",
  "javascript:alert(1)",
  "evil.example",
  "",
  null,
  undefined,
])("%j falls back to /messages", (input) => {
  expect(safeRedirect(input)).toBe("/messages");
});
