import { isRouteErrorResponse } from "react-router";

type DataWithInit = { type: "DataWithResponseInit"; data: unknown; init: ResponseInit | null };
const isDataWithInit = (value: unknown): value is DataWithInit =>
  typeof value === "object" && value !== null && (value as DataWithInit).type === "DataWithResponseInit";

/** What a browser would see from one loader/action call: status, headers, and the data or redirect. */
export type Outcome<T = unknown> = { status: number; headers: Headers; data: T; location: string | null };

/**
 * Runs a route loader/action the way React Router would and normalizes the
 * three ways they answer: a returned value, data(...) with an init, or a thrown Response.
 */
export async function settle<T = any>(run: () => unknown): Promise<Outcome<T>> {
  let result: unknown;
  try {
    result = await run();
  } catch (thrown) {
    result = thrown;
  }
  if (result instanceof Response) {
    const text = await result.text();
    let data: unknown = text;
    try {
      data = JSON.parse(text);
    } catch {}
    return { status: result.status, headers: result.headers, data: data as T, location: result.headers.get("location") };
  }
  if (isDataWithInit(result)) {
    const headers = new Headers(result.init?.headers);
    return { status: result.init?.status ?? 200, headers, data: result.data as T, location: headers.get("location") };
  }
  if (isRouteErrorResponse(result)) return { status: result.status, headers: new Headers(), data: result.data, location: null };
  if (result instanceof Error) throw result;
  return { status: 200, headers: new Headers(), data: result as T, location: null };
}

/** A minimal browser cookie jar: enough for session and CSRF cookies. */
export class CookieJar {
  private cookies = new Map<string, string>();

  store(headers: Headers) {
    for (const line of headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const index = pair.indexOf("=");
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  /** Another browser holding the same cookies, e.g. a copy of a session cookie kept after sign-out. */
  copy(): CookieJar {
    const copy = new CookieJar();
    copy.cookies = new Map(this.cookies);
    return copy;
  }

  has(prefix: string) {
    return [...this.cookies.keys()].some((name) => name.includes(prefix));
  }
}

export function formRequest(url: string, fields: Record<string, string>, jar?: CookieJar, headers: Record<string, string> = {}) {
  return new Request(new URL(url, "http://localhost:3000"), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(jar ? { cookie: jar.header() } : {}), ...headers },
    body: new URLSearchParams(fields),
  });
}

export function getRequest(url: string, jar?: CookieJar) {
  return new Request(new URL(url, "http://localhost:3000"), { headers: jar ? { cookie: jar.header() } : {} });
}
