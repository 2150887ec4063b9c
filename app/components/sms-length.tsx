import type { ReactNode } from "react";
import { useHydrated } from "remix-utils/use-hydrated";
import { countSegments, MAX_SEGMENTS } from "~/lib/segments";

/**
 * How many SMS a text takes, under the box it is typed in. Without JavaScript
 * nothing counts while typing: the rules instead of a count that stays at 0.
 */
export function SmsLength({ id, text, children }: { id: string; text: string; children?: ReactNode }) {
  const count = countSegments(text);
  const tooLong = count.segments > MAX_SEGMENTS;
  const hydrated = useHydrated();
  return (
    <p id={id} className={`text-xs ${tooLong ? "font-semibold text-red-700" : "text-slate-500"}`}>
      {hydrated ? (
        <>
          {count.units} {count.encoding === "GSM-7" ? "characters" : "UCS-2 units"} · {count.segments}{" "}
          {count.segments === 1 ? "SMS" : "SMS parts"}
          {tooLong ? ` (limit ${MAX_SEGMENTS})` : ` · ${count.remaining} left in this part`}
          {children}
        </>
      ) : (
        `One SMS holds 160 characters, or 70 with emoji or non-Latin letters; longer texts go out in up to ${MAX_SEGMENTS} parts.`
      )}
    </p>
  );
}
