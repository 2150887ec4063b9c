import { describe, expect, test } from "vitest";
import { fillPlaceholders } from "~/lib/placeholders";

const known = { name: "Ada", agent: "Ben" };
const unknown = { name: "", agent: "Ben" };

describe("fillPlaceholders", () => {
  test("fills the contact's name and the agent's name", () => {
    expect(fillPlaceholders("Hi {name}, this is {agent}.", known)).toBe("Hi Ada, this is Ben.");
  });

  test("fills every occurrence of a placeholder", () => {
    expect(fillPlaceholders("{name}? {name}! {agent} and {agent}", known)).toBe("Ada? Ada! Ben and Ben");
  });

  test("leaves placeholders it does not know, and near misses, as typed", () => {
    expect(fillPlaceholders("Code {x}, {Name}, { name }, {{agent}", known)).toBe("Code {x}, {Name}, { name }, {Ben");
  });

  test.each([
    ["Hi {name}, how can we help?", "Hi, how can we help?"],
    ["Hi {name}!", "Hi!"],
    ["Hi {name}", "Hi"],
    ["Thanks {name} for waiting.", "Thanks for waiting."],
    ["{name}, your order shipped.", "your order shipped."],
    ["Dear {name},\nIt shipped.", "Dear,\nIt shipped."],
    ["Hello\n{name} your parcel", "Hello\nyour parcel"],
    ["Hi {name} \nBye", "Hi\nBye"],
    ["Hi {name}, I am {agent}.", "Hi, I am Ben."],
  ])("an unknown name leaves no gap: %j → %j", (template, filled) => {
    expect(fillPlaceholders(template, unknown)).toBe(filled);
  });

  test("a name of only spaces counts as unknown", () => {
    expect(fillPlaceholders("Hi {name}, hello", { name: "  ", agent: "Ben" })).toBe("Hi, hello");
  });

  test("text without placeholders is returned unchanged, spacing and all", () => {
    const text = "  Two  spaces,\n\nand {braces} kept  ";
    expect(fillPlaceholders(text, unknown)).toBe(text);
  });
});
