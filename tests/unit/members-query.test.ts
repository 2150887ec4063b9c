import { expect, test } from "vitest";
import { membersHref, parseMembersQuery } from "~/lib/team-schemas";

const parse = (query: string) => parseMembersQuery(new URLSearchParams(query));

test("the members' search and page survive the links between pages", () => {
  const query = { search: "grace & co", page: 3 };
  const href = membersHref(query);
  expect(href).toBe("/team?q=grace+%26+co&page=3#members-heading");
  expect(parse(new URL(href, "http://x").search)).toEqual(query);
  expect(membersHref({ search: "", page: 1 })).toBe("/team#members-heading");
});

test("a page that is no page number reads as the first, and a search is trimmed and bounded", () => {
  for (const page of ["", "0", "-2", "1.5e3", "abc", "99999999999999999999"])
    expect(parse(`page=${page}`).page).toBe(1);
  expect(parse("page=2").page).toBe(2);
  expect(parse(`q=${"  a ".repeat(100)}`).search).toHaveLength(100);
  expect(parse("q=%20mia%20").search).toBe("mia");
});
