import { randomUUID } from "node:crypto";
import { encode } from "@auth/core/jwt";
import type { APIRequestContext, APIResponse, BrowserContext } from "@playwright/test";
import postgres from "postgres";
import { hashPassword } from "../../app/.server/identity/passwords";
import { AUTH_SECRET, SERVICE_NUMBER } from "./main-app";

export const STRONG_PASSWORD = "sunny-otter-42-lamp";
/** Registered by global-setup.ts before any test: the first account, so the admin. */
export const ADMIN = { email: "admin@example.com" };

export const uniqueEmail = () => `e2e-${randomUUID()}@example.com`;

/** How the simulator words a verification SMS; the code is the first group. */
export const VERIFICATION_SMS = /Your Birdline code is (\d{6})/;

type Cookies = Parameters<BrowserContext["addCookies"]>[0];

/** Makes accounts for tests and hands back the cookies that sign a browser in to them. */
export type AccountSource = {
  /** A new member; with `phone`, that number is verified on the account. Their password is STRONG_PASSWORD. */
  member(phone?: string): Promise<{ email: string; cookies: Cookies }>;
  admin(): Promise<Cookies>;
  /** A new agent with a display name. Only with a database: over HTTP no page makes agents yet. */
  agent(name: string): Promise<Cookies>;
  close(): Promise<void>;
};

// Auth.js names its cookie after the scheme; the main e2e app is served over http.
const SESSION_COOKIE = "authjs.session-token";

let passwordHash: Promise<string> | undefined;

/**
 * Accounts written straight into the app's Postgres database, each signed in with a session token
 * minted the way Auth.js mints one at sign-in: no page loads, no password checks, no SMS.
 */
export function databaseAccounts(databaseUrl: string, baseURL: string): AccountSource {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });

  async function create(role: "member" | "agent" | "admin", phone?: string, name?: string) {
    const id = randomUUID();
    const email = uniqueEmail();
    // One hash per worker: argon2 is slow on purpose, and every account has the same password.
    passwordHash ??= hashPassword(STRONG_PASSWORD);
    const hash = await passwordHash;
    await sql.begin(async (tx) => {
      await tx`insert into users (id, email, name, password_hash, role, phone_number, phone_verified_at)
               values (${id}, ${email}, ${name ?? null}, ${hash}, ${role}::user_role, ${phone ?? null}, ${phone ? new Date() : null})`;
      // What verifying a number leaves behind: it is on the account, and the conversation with it is theirs.
      if (phone)
        await tx`insert into conversations (contact_number, virtual_number, user_id) values (${phone}, ${SERVICE_NUMBER}, ${id})`;
    });
    // sid and sv are what sign-in adds to the token; without them the app counts it as signed out.
    // A new account's session version is 0.
    const token = await encode({
      token: { sub: id, sid: randomUUID(), sv: 0 },
      secret: AUTH_SECRET,
      salt: SESSION_COOKIE,
    });
    const cookies: Cookies = [{ name: SESSION_COOKIE, value: token, url: baseURL, httpOnly: true, sameSite: "Lax" }];
    return { email, cookies };
  }

  return {
    member: (phone) => create("member", phone),
    admin: async () => (await create("admin")).cookies,
    agent: async (name) => (await create("agent", undefined, name)).cookies,
    close: () => sql.end(),
  };
}

/**
 * Without a database the tests can reach (the app's is in its own memory), accounts come from the
 * app's forms, posted over HTTP without a browser; each in a request context of its own, whose
 * cookies end up in the browser. The admin is the one global-setup.ts registered.
 */
export function httpAccounts(newRequest: () => Promise<APIRequestContext>): AccountSource {
  async function cookiesAfter(steps: (request: APIRequestContext) => Promise<void>): Promise<Cookies> {
    const request = await newRequest();
    try {
      await steps(request);
      return (await request.storageState()).cookies;
    } finally {
      await request.dispose();
    }
  }

  return {
    async member(phone) {
      const email = uniqueEmail();
      const cookies = await cookiesAfter(async (request) => {
        await registerOverHttp(request, email);
        if (phone) await verifyPhoneOverHttp(request, phone);
      });
      return { email, cookies };
    },
    admin: () =>
      cookiesAfter(async (request) => {
        const csrfToken = await csrfTokenOn(request, "/login");
        await expectRedirect(
          request.post("/login", {
            form: { csrfToken, email: ADMIN.email, password: STRONG_PASSWORD },
            maxRedirects: 0,
          }),
        );
      }),
    agent: () => {
      throw new Error("An agent account needs the e2e database: run the tests through `npm run test:e2e`");
    },
    close: async () => {},
  };
}

/** Registers through the form's HTTP endpoint; the request context is then signed in. */
export async function registerOverHttp(request: APIRequestContext, email: string, name = "") {
  const csrfToken = await csrfTokenOn(request, "/register");
  await expectRedirect(
    request.post("/register", {
      form: { csrfToken, email, name, password: STRONG_PASSWORD, confirmPassword: STRONG_PASSWORD },
      maxRedirects: 0,
    }),
  );
}

async function verifyPhoneOverHttp(request: APIRequestContext, phone: string) {
  await expectRedirect(
    request.post("/settings/phone", { form: { intent: "send-code", phoneNumber: phone }, maxRedirects: 0 }),
  );
  const handset = await request.get(`/dev/phone?number=${encodeURIComponent(phone)}`);
  const code = VERIFICATION_SMS.exec(await handset.text())?.[1];
  if (!code) throw new Error(`No verification code on the simulated handset of ${phone}`);
  await expectRedirect(request.post("/settings/phone", { form: { intent: "verify", code }, maxRedirects: 0 }));
}

async function csrfTokenOn(request: APIRequestContext, path: string) {
  const csrfToken = /name="csrfToken" value="([^"]+)"/.exec(await (await request.get(path)).text())?.[1];
  if (!csrfToken) throw new Error(`No CSRF token on ${path}`);
  return csrfToken;
}

/** Every form here answers success with a redirect; anything else is the form shown again with an error. */
async function expectRedirect(post: Promise<APIResponse>) {
  const response = await post;
  if (response.status() !== 302) throw new Error(`${response.url()} answered ${response.status()}`);
}
