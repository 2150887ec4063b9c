import { z } from "zod";
import { CLOCK_TIME, WEEKDAYS } from "./business-hours";
import { smsText } from "./reply-schema";
import { isTimeZone } from "./time";

// The form of /team/numbers/:id/hours, checked in the browser for instant feedback and on the server for the truth.

const clockTime = z
  .string({ error: "Enter a time, e.g. 09:00." })
  .regex(CLOCK_TIME, { error: "Enter a time as hours and minutes, e.g. 09:00 or 17:30." });

// A closed day keeps the times it had, so opening it again brings them back; only an open day needs them.
const day = z
  .object({ open: z.boolean().optional(), from: z.string().optional(), to: z.string().optional() })
  .superRefine((hours, context) => {
    if (!hours.open) return;
    for (const field of ["from", "to"] as const) {
      const checked = clockTime.safeParse(hours[field]);
      if (!checked.success)
        context.addIssue({ code: "custom", path: [field], message: checked.error.issues[0]!.message });
    }
  })
  .transform(({ open = false, from = "09:00", to = "17:00" }) => ({
    open,
    from: CLOCK_TIME.test(from) ? from : "09:00",
    to: CLOCK_TIME.test(to) ? to : "17:00",
  }));

export const HoursSchema = z.object({
  enabled: z.boolean().optional().default(false),
  timeZone: z.string({ error: "Choose the time zone the team works in." }).refine(isTimeZone, {
    error: "Choose the time zone the team works in.",
  }),
  days: z.array(day).length(WEEKDAYS.length, { error: "Give hours for every day of the week." }),
  awayMessage: smsText("Write the message a contact gets outside these hours."),
  // Empty: the default text, which names the team and says how to opt out.
  helpText: smsText("Write the help text, or leave it empty for the default.").optional(),
});

export type HoursInput = z.infer<typeof HoursSchema>;
