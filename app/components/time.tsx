import { useRouteLoaderData } from "react-router";
import { useHydrated } from "remix-utils/use-hydrated";
import { FALLBACK_TIME_ZONE, formatFull, formatSeconds, formatWhen, type Clock } from "~/lib/time";
import type { loader as rootLoader } from "~/root";

/**
 * The viewer's zone as the root loader read it from the `tz` cookie, and "now": the server's
 * while hydrating (so both renders say the same), the browser's after that.
 */
export function useClock(): Clock {
  const root = useRouteLoaderData<typeof rootLoader>("root");
  const hydrated = useHydrated();
  return {
    timeZone: root?.timeZone ?? FALLBACK_TIME_ZONE,
    stateZone: root?.stateZone ?? true,
    now: hydrated || !root ? new Date() : root.now,
  };
}

/**
 * A moment as people read it ("12 min ago", "14:05", "Tue 3 Nov"), or to the second with `seconds`;
 * the whole of it on hover and for machines.
 */
export function Time({
  date,
  seconds = false,
  className,
}: {
  date: Date | string;
  seconds?: boolean;
  className?: string;
}) {
  const clock = useClock();
  return (
    <time dateTime={new Date(date).toISOString()} title={formatFull(date, clock.timeZone)} className={className}>
      {seconds ? formatSeconds(date, clock) : formatWhen(date, clock)}
    </time>
  );
}
