import { FALLBACK_TIME_ZONE, isTimeZone, TIME_ZONE_COOKIE } from "~/lib/time";

/**
 * The viewer's IANA time zone from the cookie the browser sets. Until it has (no JavaScript),
 * times are in UTC, and `stateZone` tells the page to say so next to them.
 */
export function getTimeZone(request: Request): { timeZone: string; stateZone: boolean } {
  const cookie = request.headers.get("cookie") ?? "";
  const match = new RegExp(`(?:^|;\\s*)${TIME_ZONE_COOKIE}=([^;]+)`).exec(cookie);
  const zone = match ? decodeURIComponent(match[1]!) : undefined;
  return isTimeZone(zone) ? { timeZone: zone, stateZone: false } : { timeZone: FALLBACK_TIME_ZONE, stateZone: true };
}
