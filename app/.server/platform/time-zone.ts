import { FALLBACK_TIME_ZONE, isTimeZone, TIME_ZONE_COOKIE } from "~/lib/time";

/**
 * The viewer's IANA time zone from the cookie the browser sets. Until it has (no JavaScript),
 * times are in UTC, and `stateZone` tells the page to say so next to them.
 */
export function getTimeZone(request: Request): { timeZone: string; stateZone: boolean } {
  const cookie = request.headers.get("cookie") ?? "";
  const match = new RegExp(`(?:^|;\\s*)${TIME_ZONE_COOKIE}=([^;]+)`).exec(cookie);
  const zone = match ? decoded(match[1]!) : undefined;
  return isTimeZone(zone) ? { timeZone: zone, stateZone: false } : { timeZone: FALLBACK_TIME_ZONE, stateZone: true };
}

// Every page reads this cookie, and a sibling subdomain can set one for ours:
// a value that is not even valid %-encoding is no zone, not a broken page.
function decoded(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
