import { randomUUID } from "node:crypto";
import { desc, eq } from "drizzle-orm";
import { beforeEach, describe, expect, test } from "vitest";
import { audienceOf } from "~/.server/conversations/access";
import { hashPassword } from "~/.server/identity/passwords";
import { getOptionalUser } from "~/.server/identity/session";
import { MEMBERS_PAGE_SIZE } from "~/.server/identity/team";
import { db } from "~/.server/platform/db/client";
import { invites, users } from "~/.server/platform/db/schema";
import * as login from "~/routes/login";
import * as register from "~/routes/register";
import * as team from "~/routes/team";
import { currentUser, STRONG_PASSWORD, submitForm } from "../support/auth-forms";
import { createConversation, createUser, freshPhone, type TestUser } from "../support/factories";
import { callAction, callLoader, CookieJar, formErrors } from "../support/route-call";

const openTeam = (cookie: string) => callLoader(team.loader, { url: "/team", cookie });
const teamAction = (cookie: string, form: Record<string, string>) =>
  callAction(team.action, { url: "/team", cookie, form });

/** Who the server takes the holder of this session cookie for, on their next request. */
const userBehind = (cookie: string) =>
  getOptionalUser(new Request("http://localhost:3000/messages", { headers: { cookie } }));

const roleOf = async (userId: string) =>
  (await db.select({ role: users.role }).from(users).where(eq(users.id, userId)))[0]?.role;

/** An account someone can sign in to with STRONG_PASSWORD. */
async function createSignInable(role: "member" | "agent" | "admin" = "member") {
  const user = await createUser({ role });
  await db
    .update(users)
    .set({ passwordHash: await hashPassword(STRONG_PASSWORD) })
    .where(eq(users.id, user.id));
  return user;
}

const signIn = (email: string, jar = new CookieJar()) =>
  submitForm(login, "/login", { email, password: STRONG_PASSWORD }, jar);

const registerWith = (fields: Record<string, string>, url = "/register", jar = new CookieJar()) =>
  submitForm(register, url, { password: STRONG_PASSWORD, confirmPassword: STRONG_PASSWORD, ...fields }, jar);

/** Makes an invite as `admin` and returns its token, read from the link the page shows. */
async function invite(admin: TestUser, role: "agent" | "admin" = "agent") {
  const outcome = await teamAction(admin.cookie, { intent: "invite", role });
  expect(outcome).toHaveStatus(200);
  const link = new URL(outcome.data.invite!.link);
  expect(link.origin + link.pathname).toBe("http://localhost:3000/register");
  return link.searchParams.get("invite")!;
}

const inviteOnRegister = async (token: string) =>
  (await callLoader(register.loader, { url: `/register?invite=${encodeURIComponent(token)}` })).data.invite;

let admin: TestUser;
beforeEach(async () => {
  // Each test gets an admin of its own; earlier tests' admins stay, so "the last admin" is set up explicitly.
  admin = await createUser({ role: "admin" });
});

describe("who may use /team", () => {
  test.each(["member", "agent"] as const)(
    "a %s gets 404 for the page and every action, and nothing changes",
    async (role) => {
      const outsider = await createUser({ role });
      const target = await createUser({ role: "member" });
      const switchedOff = await createUser({ role: "member" });
      await teamAction(admin.cookie, { intent: "deactivate", userId: switchedOff.id });
      await invite(admin);
      const invitesBefore = await db.select().from(invites);
      const usersBefore = await db.select().from(users);

      expect(await openTeam(outsider.cookie)).toHaveStatus(404);
      const forms: Record<string, string>[] = [
        { intent: "set-role", userId: outsider.id, role: "admin" },
        { intent: "set-role", userId: target.id, role: "agent" },
        { intent: "deactivate", userId: target.id },
        { intent: "reactivate", userId: switchedOff.id },
        { intent: "invite", role: "admin" },
        { intent: "revoke-invite", inviteId: invitesBefore[0]!.id },
      ];
      for (const form of forms) expect(await teamAction(outsider.cookie, form), form.intent).toHaveStatus(404);

      expect(await db.select().from(users)).toEqual(usersBefore);
      expect(await db.select().from(invites)).toEqual(invitesBefore);
    },
  );

  test("someone signed out is sent to sign in", async () => {
    expect(await callLoader(team.loader, { url: "/team" })).toHaveRedirect("/login?redirectTo=%2Fteam");
    expect(await callAction(team.action, { url: "/team", form: { intent: "invite", role: "admin" } })).toHaveRedirect(
      "/login?redirectTo=%2Fteam",
    );
  });

  test("an admin sees every account with name, email, role, verified phone and creation time", async () => {
    const phone = freshPhone();
    const member = await createUser({ name: "Grace", phone });
    const outcome = await openTeam(admin.cookie);
    expect(outcome).toHaveStatus(200);
    const { staff, members } = outcome.data;
    expect(members.members.find((account) => account.id === member.id)).toMatchObject({
      name: "Grace",
      email: member.email,
      role: "member",
      phoneNumber: phone,
      createdAt: expect.any(Date),
      deactivatedAt: null,
    });
    expect(staff.map((account) => account.id)).toContain(admin.id);
    expect(staff[0]!.role).toBe("admin");
    expect(staff.every((account) => account.role !== "member")).toBe(true);
  });

  test("members come a page of 50 at a time, newest first, and can be searched by name, email or phone", async () => {
    const tag = randomUUID().slice(0, 8);
    const created: string[] = [];
    // Created one after the other, so "newest first" has an order to keep.
    for (let n = 0; n < MEMBERS_PAGE_SIZE + 2; n++)
      created.push((await createUser({ email: `paged-${tag}-${n}@example.com` })).id);
    const newestFirst = [...created].reverse();
    const page = async (url: string) => (await callLoader(team.loader, { url, cookie: admin.cookie })).data;

    const first = await page(`/team?q=paged-${tag}`);
    expect(first.members.members.map((account) => account.id)).toEqual(newestFirst.slice(0, MEMBERS_PAGE_SIZE));
    expect(first.members.more).toBe(true);
    const second = await page(`/team?q=paged-${tag}&page=2`);
    expect(second.members.members.map((account) => account.id)).toEqual(newestFirst.slice(MEMBERS_PAGE_SIZE));
    expect(second.members.more).toBe(false);
    // Nonsense paging reads as the first page; LIKE's wildcards are only characters.
    expect((await page(`/team?q=paged-${tag}&page=-3`)).members.members).toHaveLength(MEMBERS_PAGE_SIZE);
    expect((await page(`/team?q=${encodeURIComponent("%")}${tag}`)).members.members).toEqual([]);

    const phone = freshPhone();
    const grace = await createUser({ name: `Grace ${tag}`, phone });
    for (const search of [`grace ${tag}`, grace.email, phone.slice(-7)]) {
      const found = await page(`/team?${new URLSearchParams({ q: search })}`);
      expect(
        found.members.members.map((account) => account.id),
        search,
      ).toEqual([grace.id]);
    }
  });
});

describe("roles", () => {
  test("making a member an agent applies on their next request, with the same session", async () => {
    const member = await createUser();
    expect((await userBehind(member.cookie))?.role).toBe("member");
    expect(await teamAction(admin.cookie, { intent: "set-role", userId: member.id, role: "agent" })).toHaveRedirect(
      "/team",
    );
    expect((await userBehind(member.cookie))?.role).toBe("agent");

    expect(await teamAction(admin.cookie, { intent: "set-role", userId: member.id, role: "member" })).toHaveRedirect(
      "/team",
    );
    expect((await userBehind(member.cookie))?.role).toBe("member");
  });

  test("an unknown account is a 404 and a role that does not exist is a field error", async () => {
    expect(await teamAction(admin.cookie, { intent: "set-role", userId: "no-such-user", role: "agent" })).toHaveStatus(
      404,
    );
    const member = await createUser();
    const outcome = await teamAction(admin.cookie, { intent: "set-role", userId: member.id, role: "owner" });
    expect(outcome).toHaveStatus(400);
    expect(formErrors(outcome, "role")).toEqual(["Choose member, agent or admin"]);
    expect(await roleOf(member.id)).toBe("member");
  });

  test("an unknown intent is refused", async () => {
    expect(await teamAction(admin.cookie, { intent: "delete-everyone" })).toHaveStatus(400);
  });
});

describe("the last active admin", () => {
  /** Leaves `admin` as the only active admin: every other admin from earlier tests is made a member. */
  async function onlyAdmin(keep: TestUser) {
    const others = (await db.select({ id: users.id, role: users.role }).from(users)).filter(
      (user) => user.role === "admin" && user.id !== keep.id,
    );
    for (const other of others) await db.update(users).set({ role: "member" }).where(eq(users.id, other.id));
  }

  test.each([
    ["demoted", { intent: "set-role", role: "agent" }],
    ["deactivated", { intent: "deactivate" }],
  ] as const)("cannot be %s: 409 with a form error, nothing changed", async (_, form) => {
    await onlyAdmin(admin);
    const outcome = await teamAction(admin.cookie, { ...form, userId: admin.id });
    expect(outcome).toHaveStatus(409);
    expect(formErrors(outcome)).toEqual([expect.stringMatching(/last active admin/)]);
    expect(outcome.data.target).toBe(admin.id);
    expect(await userBehind(admin.cookie)).toMatchObject({ id: admin.id, role: "admin" });
  });

  test("a deactivated admin does not count: the one active admin is still the last", async () => {
    const dormant = await createUser({ role: "admin" });
    await onlyAdmin(admin);
    await db.update(users).set({ role: "admin", deactivatedAt: new Date() }).where(eq(users.id, dormant.id));
    expect(await teamAction(admin.cookie, { intent: "deactivate", userId: admin.id })).toHaveStatus(409);
  });

  test("with a second admin, either may step down, and then the other is the last", async () => {
    const second = await createUser({ role: "admin" });
    await onlyAdmin(admin);
    await db.update(users).set({ role: "admin" }).where(eq(users.id, second.id));
    expect(await teamAction(admin.cookie, { intent: "set-role", userId: admin.id, role: "agent" })).toHaveRedirect(
      "/team",
    );
    expect(await teamAction(second.cookie, { intent: "set-role", userId: second.id, role: "member" })).toHaveStatus(
      409,
    );
  });

  test("two admins demoting each other at the same moment leave one admin", async () => {
    const second = await createUser({ role: "admin" });
    await onlyAdmin(admin);
    await db.update(users).set({ role: "admin" }).where(eq(users.id, second.id));
    const outcomes = await Promise.all([
      teamAction(admin.cookie, { intent: "set-role", userId: second.id, role: "member" }),
      teamAction(second.cookie, { intent: "set-role", userId: admin.id, role: "member" }),
    ]);
    // The loser is refused by the guard (409) or, demoted before its own check, is no admin any more (404).
    const statuses = outcomes.map((outcome) => outcome.status);
    expect(statuses.filter((status) => status === 302)).toHaveLength(1);
    expect(statuses.filter((status) => status === 404 || status === 409)).toHaveLength(1);
    const admins = (await db.select({ role: users.role }).from(users)).filter((user) => user.role === "admin");
    expect(admins).toHaveLength(1);
  });
});

describe("deactivation", () => {
  test("ends the account's open sessions on their next request, and sign-in says the account is deactivated", async () => {
    const agent = await createSignInable("agent");
    const jar = new CookieJar();
    expect(await signIn(agent.email, jar)).toHaveRedirect("/messages");
    expect(await currentUser(jar)).not.toBeNull();

    expect(await teamAction(admin.cookie, { intent: "deactivate", userId: agent.id })).toHaveRedirect("/team");
    expect(await currentUser(jar)).toBeNull();
    expect(await userBehind(agent.cookie)).toBeNull();

    const refused = await signIn(agent.email);
    expect(refused).toHaveStatus(400);
    expect(formErrors(refused)).toEqual([expect.stringMatching(/^This account has been deactivated/)]);
    expect(refused.headers.getSetCookie().join()).not.toContain("session-token");
    // A wrong password learns nothing: the same answer as for any email.
    const guessed = await submitForm(login, "/login", { email: agent.email, password: "wrong-password-1" });
    expect(formErrors(guessed)).toEqual(["Invalid email or password"]);

    const listed = (await openTeam(admin.cookie)).data.staff.find((account) => account.id === agent.id);
    expect(listed?.deactivatedAt).toEqual(expect.any(Date));
  });

  test("a deactivated agent hears no live updates; reactivated, they do again", async () => {
    const agent = await createUser({ role: "agent" });
    const conversation = await createConversation();
    expect(await teamAction(admin.cookie, { intent: "deactivate", userId: agent.id })).toHaveRedirect("/team");
    expect((await audienceOf([conversation.id]))(agent.id, { kind: "message", conversationId: conversation.id })).toBe(
      false,
    );
    expect(await teamAction(admin.cookie, { intent: "reactivate", userId: agent.id })).toHaveRedirect("/team");
    expect((await audienceOf([conversation.id]))(agent.id, { kind: "message", conversationId: conversation.id })).toBe(
      true,
    );
  });

  test("reactivating lets the person sign in again; sessions from before stay ended", async () => {
    const member = await createSignInable();
    const before = new CookieJar();
    await signIn(member.email, before);
    await teamAction(admin.cookie, { intent: "deactivate", userId: member.id });

    expect(await teamAction(admin.cookie, { intent: "reactivate", userId: member.id })).toHaveRedirect("/team");
    expect(await currentUser(before)).toBeNull();
    const after = new CookieJar();
    expect(await signIn(member.email, after)).toHaveRedirect("/messages");
    expect(await currentUser(after)).toMatchObject({ id: member.id });
  });

  test("unknown accounts are a 404", async () => {
    expect(await teamAction(admin.cookie, { intent: "deactivate", userId: "nobody" })).toHaveStatus(404);
    expect(await teamAction(admin.cookie, { intent: "reactivate", userId: "nobody" })).toHaveStatus(404);
  });
});

describe("invites", () => {
  test("the link registers an agent once; the database keeps only the token's hash", async () => {
    const token = await invite(admin, "agent");
    expect(token).toMatch(/^[\w-]{43}$/);
    const stored = await db.select().from(invites);
    expect(JSON.stringify(stored)).not.toContain(token);

    expect(await inviteOnRegister(token)).toEqual({ usable: true, token, role: "agent" });
    const jar = new CookieJar();
    const registered = await registerWith(
      { email: "new-agent@example.com", name: "Ana", invite: token },
      `/register?invite=${token}`,
      jar,
    );
    expect(registered).toHaveRedirect("/messages");
    expect(await currentUser(jar)).toMatchObject({ email: "new-agent@example.com", role: "agent" });

    expect(await inviteOnRegister(token)).toEqual({ usable: false });
    const again = await registerWith({ email: "second@example.com", invite: token }, `/register?invite=${token}`);
    expect(again).toHaveStatus(409);
    expect(formErrors(again)[0]).toMatch(/invite link was used or expired/);
    expect(await db.select().from(users).where(eq(users.email, "second@example.com"))).toEqual([]);
  });

  test("an admin invite makes an admin", async () => {
    const token = await invite(admin, "admin");
    const jar = new CookieJar();
    await registerWith({ email: "new-admin@example.com", invite: token }, `/register?invite=${token}`, jar);
    expect((await currentUser(jar))?.role).toBe("admin");
  });

  test("an expired invite is refused and the person can still sign up as a member", async () => {
    const token = await invite(admin);
    await db.update(invites).set({ expiresAt: new Date(Date.now() - 1000) });
    expect(await inviteOnRegister(token)).toEqual({ usable: false });
    expect(await registerWith({ email: "late@example.com", invite: token })).toHaveStatus(409);

    const jar = new CookieJar();
    // The page no longer carries the token: the form is plain registration.
    expect(await registerWith({ email: "late@example.com" }, `/register?invite=${token}`, jar)).toHaveRedirect(
      "/settings/phone",
    );
    expect((await currentUser(jar))?.role).toBe("member");
  });

  test("an invite expires 7 days after it was made", async () => {
    await invite(admin);
    const [row] = await db.select().from(invites).orderBy(desc(invites.createdAt)).limit(1);
    expect(row!.expiresAt.getTime() - row!.createdAt.getTime()).toBe(7 * 24 * 3600 * 1000);
  });

  test("unknown and malformed tokens are not invites", async () => {
    expect(await inviteOnRegister("A".repeat(43))).toEqual({ usable: false });
    expect(await inviteOnRegister("x".repeat(500))).toEqual({ usable: false });
    expect(await registerWith({ email: "guess@example.com", invite: "A".repeat(43) })).toHaveStatus(409);
    expect(await registerWith({ email: "guess@example.com", invite: "x".repeat(500) })).toHaveStatus(400);
  });

  test("an email already taken leaves the invite unused", async () => {
    const token = await invite(admin);
    expect(await registerWith({ email: admin.email, invite: token })).toHaveStatus(400);
    expect(await inviteOnRegister(token)).toMatchObject({ usable: true });
  });

  test("two registrations racing with one link: one agent, one refusal", async () => {
    const token = await invite(admin);
    const outcomes = await Promise.all(
      ["race-1@example.com", "race-2@example.com"].map((email) => registerWith({ email, invite: token })),
    );
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual([302, 409]);
  });

  test("open invites are listed for the admin and can be withdrawn; the link then stops working", async () => {
    const token = await invite(admin, "admin");
    const { invites: open } = (await openTeam(admin.cookie)).data;
    const listed = open.find((entry) => entry.role === "admin");
    expect(listed).toMatchObject({ role: "admin", expiresAt: expect.any(Date) });

    expect(await teamAction(admin.cookie, { intent: "revoke-invite", inviteId: listed!.id })).toHaveRedirect("/team");
    expect(await inviteOnRegister(token)).toEqual({ usable: false });
    expect((await openTeam(admin.cookie)).data.invites.map((entry) => entry.id)).not.toContain(listed!.id);
    expect(await teamAction(admin.cookie, { intent: "revoke-invite", inviteId: listed!.id })).toHaveStatus(404);
    expect(await teamAction(admin.cookie, { intent: "revoke-invite", inviteId: "not-a-uuid" })).toHaveStatus(404);
  });

  test("a used invite leaves the open list", async () => {
    const token = await invite(admin);
    const jar = new CookieJar();
    await registerWith({ email: "used-up@example.com", invite: token }, "/register", jar);
    const agent = await currentUser(jar);
    const [used] = await db.select().from(invites).where(eq(invites.usedById, agent!.id));
    expect(used?.usedAt).toEqual(expect.any(Date));
    expect((await openTeam(admin.cookie)).data.invites.map((entry) => entry.id)).not.toContain(used!.id);
  });

  test("deactivating an admin withdraws the invites they made: the links stop working and leave the open list", async () => {
    const leaving = await createUser({ role: "admin" });
    const token = await invite(leaving, "admin");
    const others = await invite(admin, "agent");
    expect(await teamAction(admin.cookie, { intent: "deactivate", userId: leaving.id })).toHaveRedirect("/team");

    expect(await inviteOnRegister(token)).toEqual({ usable: false });
    expect(await registerWith({ email: "via-deactivated@example.com", invite: token })).toHaveStatus(409);
    expect(await db.select().from(invites).where(eq(invites.createdById, leaving.id))).toEqual([]);
    expect(await inviteOnRegister(others)).toMatchObject({ usable: true });
  });

  test("demoting an admin withdraws the invites they made", async () => {
    const demoted = await createUser({ role: "admin" });
    const token = await invite(demoted, "admin");
    expect(await teamAction(admin.cookie, { intent: "set-role", userId: demoted.id, role: "agent" })).toHaveRedirect(
      "/team",
    );
    expect(await inviteOnRegister(token)).toEqual({ usable: false });
    expect(await registerWith({ email: "via-demoted@example.com", invite: token })).toHaveStatus(409);
    expect(await db.select().from(users).where(eq(users.email, "via-demoted@example.com"))).toEqual([]);
  });

  test("an invite whose maker is no longer an active admin is refused where it is used, withdrawn or not", async () => {
    const maker = await createUser({ role: "admin" });
    const [demotedToken, deactivatedToken] = [await invite(maker, "admin"), await invite(maker, "agent")];
    // Straight in the database: links from before invites were withdrawn with their maker's powers.
    await db.update(users).set({ role: "agent" }).where(eq(users.id, maker.id));
    expect(await inviteOnRegister(demotedToken)).toEqual({ usable: false });
    expect(await registerWith({ email: "old-link@example.com", invite: demotedToken })).toHaveStatus(409);

    await db.update(users).set({ role: "admin", deactivatedAt: new Date() }).where(eq(users.id, maker.id));
    expect(await registerWith({ email: "old-link@example.com", invite: deactivatedToken })).toHaveStatus(409);
    expect((await openTeam(admin.cookie)).data.invites.map((entry) => entry.createdBy)).not.toContain(maker.email);
  });

  test("an invite role other than agent or admin is a field error", async () => {
    const outcome = await teamAction(admin.cookie, { intent: "invite", role: "member" });
    expect(outcome).toHaveStatus(400);
    expect(formErrors(outcome, "role")).toEqual(["Invite them as an agent or an admin"]);
    expect(outcome.data.invite).toBeNull();
  });

  test("open registration without a link still creates members", async () => {
    const jar = new CookieJar();
    expect(await registerWith({ email: "walk-in@example.com" }, "/register", jar)).toHaveRedirect("/settings/phone");
    expect((await currentUser(jar))?.role).toBe("member");
  });
});
