import { expect, test } from "vitest";
import { consentKeyword } from "~/.server/conversations/consent";

test.each(["STOP", "stop", "  Stop\n", "STOPALL", "unsubscribe", "Cancel", "END", "quit", "OPTOUT", "revoke"])(
  "%j opts the number out",
  (text) => expect(consentKeyword(text)).toBe("opt-out"),
);

test.each(["START", "unstop", " yes "])("%j opts the number back in", (text) =>
  expect(consentKeyword(text)).toBe("opt-in"),
);

// Phones and people add punctuation: it changes nothing about the keyword.
test.each(["Stop.", "STOP!", "stop!!!", '"stop"', "¡Stop!", "(STOP)", "stop 🛑"])("%j opts the number out", (text) =>
  expect(consentKeyword(text)).toBe("opt-out"),
);

test.each(["Start!", "yes.", "START…"])("%j opts the number back in", (text) =>
  expect(consentKeyword(text)).toBe("opt-in"),
);

test.each(["stop the 9am reminders", "please stop", "yes please", "", "S T O P", "stop!stop", "!!!", "STOP?!START"])(
  "%j is an ordinary message",
  (text) => expect(consentKeyword(text)).toBeNull(),
);
