import { getOptionalUser } from "~/.server/identity/session";
import type * as login from "~/routes/login";
import type * as register from "~/routes/register";
import { callAction, callLoader, CookieJar } from "./route-call";

/** The sign-in and sign-up forms as a browser uses them: open the page for its CSRF token, then post. */

export const STRONG_PASSWORD = "sunny-otter-42-lamp";

type AuthPage = typeof login | typeof register;
export type ClientAddress = { clientIp: string };

let ipCounter = 0;
/** Each call its own client address, so per-address limits stay out of unrelated tests. */
export const freshIp = (): ClientAddress => ({ clientIp: `192.0.2.${++ipCounter}` });

export async function openForm(page: AuthPage, url: string, jar: CookieJar) {
  const opened = await callLoader(page.loader, { url, cookie: jar });
  jar.store(opened.headers);
  return opened.data.csrfToken;
}

export async function submitForm(
  page: AuthPage,
  url: string,
  fields: Record<string, string>,
  jar = new CookieJar(),
  context = freshIp(),
) {
  const csrfToken = await openForm(page, url, jar);
  const outcome = await callAction(page.action, { url, cookie: jar, form: { csrfToken, ...fields }, context });
  jar.store(outcome.headers);
  return outcome;
}

/** Who the server takes this browser for. */
export const currentUser = (jar: CookieJar) =>
  getOptionalUser(new Request("http://localhost:3000/", { headers: { cookie: jar.header() } }));
