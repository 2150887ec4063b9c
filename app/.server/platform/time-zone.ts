import { isTimeZone, TIME_ZONE_COOKIE } from "~/lib/time";

/** The viewer's IANA time zone from the cookie the browser sets; UTC until it has. */
export function getTimeZone(request: Request): string {
  const cookie = request.headers.get("cookie") ?? "";
  const match = new RegExp(`(?:^|;\\s*)${TIME_ZONE_COOKIE}=([^;]+)`).exec(cookie);
  const zone = match ? decodeURIComponent(match[1]!) : undefined;
  return isTimeZone(zone) ? zone : "UTC";
}
