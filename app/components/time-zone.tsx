import { useEffect } from "react";
import { useRevalidator, useRouteLoaderData } from "react-router";
import { TIME_ZONE_COOKIE } from "~/lib/time";
import type { loader as rootLoader } from "~/root";

/** The viewer's time zone as the root loader read it from the `tz` cookie (UTC until the browser has said). */
export function useTimeZone(): string {
  return useRouteLoaderData<typeof rootLoader>("root")?.timeZone ?? "UTC";
}

/** Tells the server the browser's time zone once, then re-renders times in it. Without JS times stay in UTC. */
export function TimeZoneCookie() {
  const serverTimeZone = useTimeZone();
  const { revalidate } = useRevalidator();
  useEffect(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || zone === serverTimeZone) return;
    document.cookie = `${TIME_ZONE_COOKIE}=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax`;
    void revalidate();
  }, [serverTimeZone, revalidate]);
  return null;
}
