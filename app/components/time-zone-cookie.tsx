import { useEffect } from "react";
import { useRevalidator } from "react-router";
import { TIME_ZONE_COOKIE } from "~/lib/time";

/** Tells the server the browser's time zone once, then re-renders times in it. Without JS times stay in UTC. */
export function TimeZoneCookie({ serverTimeZone }: { serverTimeZone: string }) {
  const { revalidate } = useRevalidator();
  useEffect(() => {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || zone === serverTimeZone) return;
    document.cookie = `${TIME_ZONE_COOKIE}=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax`;
    void revalidate();
  }, [serverTimeZone, revalidate]);
  return null;
}
