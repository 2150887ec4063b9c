import { expect, test } from "vitest";
import { defaultHelpText, isHelpRequest } from "~/.server/automations/help";
import { consentKeyword } from "~/.server/conversations/consent";

test.each(["HELP", "help", "Help", "INFO ", " info", "Help!", "help?"])("%j asks for help", (text) => {
  expect(isHelpRequest(text)).toBe(true);
});

test.each(["help me please", "H E L P", "helpful", "information", "STOP", ""])("%j does not", (text) => {
  expect(isHelpRequest(text)).toBe(false);
});

test("HELP and INFO are no opt-out or opt-in", () => {
  expect(consentKeyword("HELP")).toBeNull();
  expect(consentKeyword("info")).toBeNull();
});

test("the default help text names the team, or Birdline, and says how to opt out", () => {
  expect(defaultHelpText("Acme Support")).toMatch(/^Acme Support: .*Reply STOP to opt out\.$/);
  expect(defaultHelpText(null)).toMatch(/^Birdline: .*Reply STOP to opt out\.$/);
});
