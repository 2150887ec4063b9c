import { encode } from "@auth/core/jwt";
import { eq, sql } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { db } from "~/.server/platform/db/client";
import { users } from "~/.server/platform/db/schema";
import { LOGIN_FAILURES_PER_IP } from "~/.server/identity/sign-in-limits";
import { env } from "~/.server/platform/env";
import * as login from "~/routes/login";
import * as logout from "~/routes/logout";
import * as register from "~/routes/register";
import { currentUser, freshIp, openForm, STRONG_PASSWORD as STRONG, submitForm } from "../support/auth-forms";
import { callAction, callLoader, CookieJar, formErrors, typedValues } from "../support/route-call";

const registerUser = (fields: Record<string, string>, jar?: CookieJar, context?: ReturnType<typeof freshIp>) =>
  submitForm(register, "/register", fields, jar, context);

const signIn = (fields: Record<string, string>, jar?: CookieJar, context?: ReturnType<typeof freshIp>) =>
  submitForm(login, "/login", fields, jar, context);

describe("registration", () => {
  test("signs the person in and lands on /settings/phone; the first account is the admin", async () => {
    const jar = new CookieJar();
    const outcome = await registerUser(
      { name: "Ada", email: "  Ada@Example.COM ", password: STRONG, confirmPassword: STRONG },
      jar,
    );
    expect(outcome).toHaveRedirect("/settings/phone");
    const user = await currentUser(jar);
    expect(user).toMatchObject({ email: "ada@example.com", name: "Ada", role: "admin" });
    expect(user).not.toHaveProperty("passwordHash");
  });

  test("later accounts are members", async () => {
    const jar = new CookieJar();
    await registerUser({ email: "grace@example.com", password: STRONG, confirmPassword: STRONG }, jar);
    expect((await currentUser(jar))?.role).toBe("member");
  });

  test("an existing email in any case fails cleanly without a second row", async () => {
    const outcome = await registerUser({ email: "ADA@example.com", password: STRONG, confirmPassword: STRONG });
    expect(outcome).toHaveStatus(400);
    expect(formErrors(outcome, "email")).toEqual(["An account with this email already exists. Sign in instead?"]);
    expect(typedValues(outcome).email).toBe("ADA@example.com");
    const rows = await db.select().from(users).where(eq(users.email, "ada@example.com"));
    expect(rows).toHaveLength(1);
  });

  test("a common password is refused with advice, and the typed values come back without the password", async () => {
    const outcome = await registerUser({
      email: "lin@example.com",
      password: "password123",
      confirmPassword: "password123",
    });
    expect(outcome).toHaveStatus(400);
    expect(formErrors(outcome, "password")[0]).toMatch(/common|guess/i);
    expect(typedValues(outcome)).toMatchObject({ email: "lin@example.com" });
    expect(typedValues(outcome).password).toBeUndefined();
  });

  test("mismatched and short passwords get field errors", async () => {
    const outcome = await registerUser({ email: "lin@example.com", password: "short", confirmPassword: "other" });
    expect(formErrors(outcome, "password")).toEqual(["Use at least 8 characters"]);
    expect(formErrors(outcome, "confirmPassword")).toEqual(["The passwords do not match"]);
  });

  test("the database holds only argon2id hashes", async () => {
    const rows = await db.select({ hash: users.passwordHash }).from(users);
    expect(rows.length).toBeGreaterThan(0);
    for (const { hash } of rows) expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const [{ leaked }] = (await db
      .select({ leaked: sql<number>`count(*)::int` })
      .from(users)
      .where(sql`${users.passwordHash} like ${`%${STRONG}%`}`)) as [{ leaked: number }];
    expect(leaked).toBe(0);
  });

  test("six registrations from one address within the hour: the sixth answers 429 with Retry-After", async () => {
    const context = freshIp();
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      const outcome = await registerUser(
        { email: `bulk${i}@example.com`, password: STRONG, confirmPassword: STRONG },
        new CookieJar(),
        context,
      );
      statuses.push(outcome.status);
      if (i === 5) expect(Number(outcome.headers.get("retry-after"))).toBeGreaterThan(3000);
    }
    expect(statuses).toEqual([302, 302, 302, 302, 302, 429]);
  });

  test("refused weak passwords count against the address's limit too: the costly check is not free", async () => {
    const context = freshIp();
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const weak = { email: `weak${i}@example.com`, password: "password123", confirmPassword: "password123" };
      statuses.push((await registerUser(weak, new CookieJar(), context)).status);
    }
    const strong = await registerUser(
      { email: "weak-then-strong@example.com", password: STRONG, confirmPassword: STRONG },
      new CookieJar(),
      context,
    );
    expect([...statuses, strong.status]).toEqual([400, 400, 400, 400, 400, 429]);
    expect(formErrors(strong)[0]).toMatch(/Too many sign-up attempts from your network/);
  });
});

describe("sign-in", () => {
  test("a wrong password re-renders with the error, the typed email kept, status 400", async () => {
    const outcome = await signIn({ email: "ada@example.com", password: "not-my-password" });
    expect(outcome).toHaveStatus(400);
    expect(formErrors(outcome)).toEqual(["Invalid email or password"]);
    expect(typedValues(outcome)).toEqual({ email: "ada@example.com" });
  });

  test("an unknown email gets the same answer as a wrong password", async () => {
    const outcome = await signIn({ email: "nobody@example.com", password: STRONG });
    expect(outcome).toHaveStatus(400);
    expect(formErrors(outcome)).toEqual(["Invalid email or password"]);
  });

  test("the right password lands on the redirectTo page, signed in", async () => {
    const jar = new CookieJar();
    const outcome = await signIn(
      { email: "ADA@example.com", password: STRONG, redirectTo: "/settings/phone?x=1" },
      jar,
    );
    expect(outcome).toHaveRedirect("/settings/phone?x=1");
    expect((await currentUser(jar))?.email).toBe("ada@example.com");
  });

  test.each(["https://evil.example", "//evil.example", "/\\evil.example"])(
    "redirectTo=%s lands on /messages",
    async (redirectTo) => {
      const outcome = await signIn({ email: "ada@example.com", password: STRONG, redirectTo });
      expect(outcome).toHaveRedirect("/messages");
    },
  );

  test("a forged or stale CSRF token is refused", async () => {
    const jar = new CookieJar();
    await openForm(login, "/login", jar);
    const outcome = await callAction(login.action, {
      url: "/login",
      cookie: jar,
      form: { csrfToken: "forged", email: "ada@example.com", password: STRONG },
      context: freshIp(),
    });
    expect(outcome).toHaveStatus(400);
    expect(await currentUser(jar)).toBeNull();
  });

  test("one address guessing one account is stopped after 10 failures, and only that address", async () => {
    await registerUser({ email: "target@example.com", password: STRONG, confirmPassword: STRONG });
    const owner = freshIp();
    expect(await signIn({ email: "target@example.com", password: STRONG }, new CookieJar(), owner)).toHaveRedirect(
      "/messages",
    );
    const guesser = freshIp();
    const statuses = [];
    for (let i = 0; i < 11; i++) {
      statuses.push(
        (await signIn({ email: "target@example.com", password: `wrong-${i}` }, new CookieJar(), guesser)).status,
      );
    }
    expect(statuses).toEqual([...Array(10).fill(400), 429]);
    const correct = await signIn({ email: "target@example.com", password: STRONG }, new CookieJar(), guesser);
    expect(correct).toHaveStatus(429);
    expect(Number(correct.headers.get("retry-after"))).toBeGreaterThan(800);
    expect(formErrors(correct)[0]).toMatch(/Too many failed sign-in attempts/);

    expect(await signIn({ email: "target@example.com", password: STRONG }, new CookieJar(), owner)).toHaveRedirect(
      "/messages",
    );
  });

  test("wrong passwords from many addresses cannot lock the owner out: elsewhere they only slow down, where the owner signed in nothing changes", async () => {
    await registerUser({ email: "besieged@example.com", password: STRONG, confirmPassword: STRONG });
    const owner = freshIp();
    await signIn({ email: "besieged@example.com", password: STRONG }, new CookieJar(), owner);
    // A new address each time, as a botnet would: no address limit ever trips.
    const guesses = [];
    for (let i = 0; i < 20; i++) guesses.push(await signIn({ email: "besieged@example.com", password: `wrong-${i}` }));
    // Ten failures, one more in its turn, then the others wait theirs: a minute at most, never a lockout.
    expect(guesses.map((outcome) => outcome.status)).toEqual([...Array(11).fill(400), ...Array(9).fill(429)]);
    for (const refused of guesses.slice(11)) {
      expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    }

    const jar = new CookieJar();
    expect(await signIn({ email: "besieged@example.com", password: STRONG }, jar, owner)).toHaveRedirect("/messages");
    expect((await currentUser(jar))?.email).toBe("besieged@example.com");
  });

  test("the address an account was created from counts as one it signed in from", async () => {
    const home = freshIp();
    await registerUser({ email: "newcomer@example.com", password: STRONG, confirmPassword: STRONG }, undefined, home);
    for (let i = 0; i < 12; i++) await signIn({ email: "newcomer@example.com", password: `wrong-${i}` });
    expect(await signIn({ email: "newcomer@example.com", password: STRONG }, new CookieJar(), home)).toHaveRedirect(
      "/messages",
    );
  });

  test("wrong passwords for many different emails from one address: past the per-address limit it answers 429, other addresses are unaffected", async () => {
    const address = freshIp();
    const statuses = [];
    for (let i = 0; i <= LOGIN_FAILURES_PER_IP.max; i++) {
      // A new email each time: the per-email limit never trips, only the per-address one can.
      statuses.push(
        (await signIn({ email: `sprayed-${i}@example.com`, password: `wrong-${i}` }, new CookieJar(), address)).status,
      );
    }
    expect(statuses).toEqual([...Array(LOGIN_FAILURES_PER_IP.max).fill(400), 429]);
    expect(await signIn({ email: "ada@example.com", password: STRONG }, new CookieJar(), address)).toHaveStatus(429);

    expect(await signIn({ email: "sprayed-0@example.com", password: "wrong-again" })).toHaveStatus(400);
    expect(await signIn({ email: "ada@example.com", password: STRONG })).toHaveRedirect("/messages");
  });

  test("a burst of concurrent wrong passwords from many addresses cannot slip past: ten, one in its turn, the rest wait", async () => {
    await registerUser({ email: "burst@example.com", password: STRONG, confirmPassword: STRONG });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signIn({ email: "burst@example.com", password: `guess-${i}` })),
    );
    const statuses = outcomes.map((outcome) => outcome.status);
    expect(statuses.filter((status) => status === 400)).toHaveLength(11);
    expect(statuses.filter((status) => status === 429)).toHaveLength(9);
  });

  test("signed-in visitors skip the login page", async () => {
    const jar = new CookieJar();
    await signIn({ email: "ada@example.com", password: STRONG }, jar);
    expect(await callLoader(login.loader, { url: "/login", cookie: jar })).toHaveRedirect("/messages");
  });
});

describe("logout", () => {
  const logOut = (jar: CookieJar, form: Record<string, string> = {}) =>
    callAction(logout.action, { url: "/logout", cookie: jar, form });

  test("ends the session and lands on /", async () => {
    const jar = new CookieJar();
    await signIn({ email: "ada@example.com", password: STRONG }, jar);
    expect(await currentUser(jar)).not.toBeNull();
    const outcome = await logOut(jar);
    jar.store(outcome.headers);
    expect(outcome).toHaveRedirect("/");
    expect(await currentUser(jar)).toBeNull();
  });

  test("a signed-out session cookie cannot end the account's other sessions", async () => {
    const laptop = new CookieJar();
    const phone = new CookieJar();
    await signIn({ email: "ada@example.com", password: STRONG }, laptop);
    await signIn({ email: "ada@example.com", password: STRONG }, phone);
    const kept = laptop.copy();
    await logOut(laptop);
    expect(await logOut(kept, { intent: "sign-out-everywhere" })).toHaveRedirect("/login");
    expect(await currentUser(phone)).not.toBeNull();
  });

  test("a session token from before sessions could be ended (no sid, no sv) counts as signed out", async () => {
    const [ada] = await db.select({ id: users.id }).from(users).where(eq(users.email, "ada@example.com"));
    const salt = "authjs.session-token";
    const legacy = await encode({ token: { sub: ada!.id, email: "ada@example.com" }, secret: env.authSecret, salt });
    const jar = new CookieJar();
    jar.store(new Headers({ "set-cookie": `${salt}=${legacy}` }));
    expect(await currentUser(jar)).toBeNull();
  });
});
