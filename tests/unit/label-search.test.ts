import { describe, expect, test } from "vitest";
import { splitLabelSearch } from "~/lib/labels";

describe("label: words in a search", () => {
  test.each([
    ["label:billing", { labels: ["billing"], words: "" }],
    ["refund label:vip", { labels: ["vip"], words: "refund" }],
    ["LABEL:Billing late  label:vip", { labels: ["Billing", "vip"], words: "late" }],
    ["refund", { labels: [], words: "refund" }],
    // Only a word that starts with it: an e-mail or a URL keeps its text.
    ["mylabel:x", { labels: [], words: "mylabel:x" }],
    ["label:", { labels: [], words: "label:" }],
  ])("%j", (q, expected) => {
    expect(splitLabelSearch(q)).toEqual(expected);
  });
});
