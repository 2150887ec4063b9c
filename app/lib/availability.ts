import { z } from "zod";

/** The header's Available / Away switch: `away` 1 or 0, and the page to go back to. */
export const AvailabilitySchema = z.object({
  away: z.enum(["0", "1"], { error: "Say whether you are away or available." }).transform((away) => away === "1"),
  redirectTo: z.string().max(2000).optional(),
});
