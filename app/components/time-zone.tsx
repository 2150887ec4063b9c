import { useEffect } from "react";
import { useRevalidator } from "react-router";
import { TIME_ZONE_COOKIE } from "~/lib/time";
import { useClock } from "./time";

/** Tells the server the browser's time zone once, then re-renders times in it. Without JS times stay in UTC. */
export function TimeZoneCookie() {
  const { timeZone, stateZone } = useClock();
  const { revalidate } = useRevalidator();
  useEffect(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || (zone === timeZone && !stateZone)) return;
    document.cookie = `${TIME_ZONE_COOKIE}=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax`;
    void revalidate();
  }, [timeZone, stateZone, revalidate]);
  return null;
}
