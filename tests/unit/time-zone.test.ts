import { expect, test } from "vitest";
import { getTimeZone } from "~/.server/platform/time-zone";

const withCookie = (cookie: string) => getTimeZone(new Request("http://localhost/", { headers: { cookie } }));

test("the browser's zone from its cookie, %-encoded as it sets it", () => {
  expect(withCookie("a=1; tz=America%2FNew_York")).toEqual({ timeZone: "America/New_York", stateZone: false });
});

// A sibling subdomain can set a cookie for ours: a bad one must cost that browser its zone, not every page.
test.each(["tz=%E0%A4%A", "tz=%", "tz=Europe%2", "tz=Mars%2FOlympus"])(
  "%j is no zone: UTC, and the page says so",
  (cookie) => {
    expect(withCookie(cookie)).toEqual({ timeZone: "UTC", stateZone: true });
  },
);
