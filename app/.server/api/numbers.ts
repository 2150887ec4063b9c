import type { z } from "zod";
import { whyNotStartable } from "~/lib/our-numbers";
import { listNumbers } from "../sms/numbers";
import type { NumberList } from "./schemas";

/** Our numbers as GET /api/v1/numbers lists them: the team's own list, the same for every token. */
export async function presentNumbers(): Promise<z.input<typeof NumberList>> {
  return {
    data: (await listNumbers()).map((number) => ({
      id: number.id,
      number: number.number,
      label: number.label,
      isDefault: number.isDefault,
      archived: number.archivedAt !== null,
      canStart: whyNotStartable(number) === null,
    })),
  };
}
