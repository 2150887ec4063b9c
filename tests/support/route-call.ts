import type { SubmissionResult } from "@conform-to/react";
import {
  isRouteErrorResponse,
  type AppLoadContext,
  type UNSAFE_DataWithResponseInit as DataWithResponseInit,
} from "react-router";

const ORIGIN = "http://localhost:3000";

/** The arguments React Router hands a server loader or action (its `DataFunctionArgs`). */
export type RouteArgs<P> = { request: Request; url: URL; pattern: string; params: P; context: AppLoadContext };

/** A route module's `loader` or `action`, typed by its own params and answer. */
type RouteFunction<P, R> = (args: RouteArgs<P>) => R;

type Unwrapped<R> = R extends Response ? never : R extends DataWithResponseInit<infer D> ? D : R;
/** The data a route answers with: what it returns, unwrapped from `data()`; a route that answers with a bare Response has untyped (parsed JSON) data. */
export type RouteData<R> = [Unwrapped<Awaited<R>>] extends [never] ? unknown : Unwrapped<Awaited<R>>;

/** What a browser would see from one loader/action call: status, headers, and the data or redirect. */
export type Outcome<T = unknown> = {
  status: number;
  headers: Headers;
  location: string | null;
  /** What the route returned. A thrown answer (a redirect, a 404) is no data of the route's: reading this then fails the test. */
  readonly data: T;
};

type RequestOptions =
  | { request: Request }
  | {
      /** Path and query as the browser asked for them. */
      url: string;
      /** The browser's cookies: a `name=value` pair such as a factory's session cookie, or a whole jar. */
      cookie?: string | CookieJar;
      headers?: Record<string, string>;
    };

/** Params are required exactly when the route has some (`/messages/:conversationId`). */
type ParamsOption<P extends object> = Partial<P> extends P ? { params?: P } : { params: P };

export type LoaderOptions<P extends object> = RequestOptions & ParamsOption<P> & { context?: AppLoadContext };
/** An action's request is a POST of `form` (urlencoded), unless a whole `request` is given. */
export type ActionOptions<P extends object> = LoaderOptions<P> & { form?: Record<string, string> };

/** Calls a route's loader as React Router would for a GET of `url`, and settles its answer. */
export function callLoader<P extends object, R>(
  loader: RouteFunction<P, R>,
  options: LoaderOptions<P>,
): Promise<Outcome<RouteData<R>>> {
  return settle(() => loader(routeArgs(options)));
}

/** Calls a route's action as React Router would for a form POST to `url`, and settles its answer. */
export function callAction<P extends object, R>(
  action: RouteFunction<P, R>,
  options: ActionOptions<P>,
): Promise<Outcome<RouteData<R>>> {
  const request = "request" in options ? options.request : buildRequest(options, options.form ?? {});
  return settle(() => action(argsFor(request, options)));
}

/**
 * The full argument object for one loader call, for a test that needs the
 * route's raw answer (a streaming Response) rather than a settled Outcome.
 */
export function routeArgs<P extends object>(options: LoaderOptions<P>): RouteArgs<P> {
  return argsFor("request" in options ? options.request : buildRequest(options), options);
}

function argsFor<P extends object>(
  request: Request,
  { params = {} as P, context = {} }: { params?: P; context?: AppLoadContext },
): RouteArgs<P> {
  const url = new URL(request.url);
  return { request, url, pattern: routePattern(url.pathname, params), params, context };
}

function buildRequest(
  { url, cookie, headers = {} }: Exclude<RequestOptions, { request: Request }>,
  form?: Record<string, string>,
) {
  const cookieHeader = cookie instanceof CookieJar ? cookie.header() : cookie;
  return new Request(new URL(url, ORIGIN), {
    method: form ? "POST" : "GET",
    headers: {
      ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      ...(cookieHeader ? { cookie: cookieHeader } : {}),
      ...headers,
    },
    body: form ? new URLSearchParams(form) : undefined,
  });
}

/** The matched pattern (`/messages/:conversationId`), read back from the path and the params that filled it. */
function routePattern(pathname: string, params: object): string {
  const names = new Map(Object.entries(params).map(([name, value]) => [String(value), name]));
  return pathname
    .split("/")
    .map((segment) => (names.has(decodeURIComponent(segment)) ? `:${names.get(decodeURIComponent(segment))}` : segment))
    .join("/");
}

const isDataWithInit = (value: unknown): value is DataWithResponseInit<unknown> =>
  typeof value === "object" && value !== null && (value as { type?: unknown }).type === "DataWithResponseInit";

/**
 * Runs a route loader/action the way React Router would and normalizes the
 * ways they answer: a returned value, data(...) with an init, a Response, or a thrown one of those.
 */
async function settle<T>(run: () => unknown): Promise<Outcome<T>> {
  let result: unknown;
  let thrown = false;
  try {
    result = await run();
  } catch (error) {
    result = error;
    thrown = true;
  }
  if (result instanceof Response) return outcome(result.status, result.headers, thrown, await parseBody(result));
  if (isDataWithInit(result))
    return outcome(result.init?.status ?? 200, new Headers(result.init?.headers), thrown, result.data);
  if (isRouteErrorResponse(result)) return outcome(result.status, new Headers(), thrown, result.data);
  if (thrown) throw result;
  return outcome(200, new Headers(), false, result);
}

function outcome<T>(status: number, headers: Headers, thrown: boolean, data: unknown): Outcome<T> {
  const settled = { status, headers, location: headers.get("location") } as Outcome<T>;
  // Not enumerable: printing or matching an outcome must not trip the guard.
  Object.defineProperty(settled, "data", {
    enumerable: false,
    get() {
      if (thrown)
        throw new Error(
          `the route threw a ${status} answer${settled.location ? ` to ${settled.location}` : ""}; it returned no data`,
        );
      return data;
    },
  });
  return settled;
}

/** A Response body as a browser script would read it: JSON when it parses, else the text. */
async function parseBody(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * The member of a union-typed answer whose `key` is `value` (say the team view
 * of /messages rather than the verify-phone prompt); fails the test otherwise.
 */
export function variant<T extends object, K extends keyof T, const V extends T[K]>(
  data: T,
  key: K,
  value: V,
): Extract<T, Record<K, V>> {
  if (data[key] !== value)
    throw new Error(`expected ${String(key)} ${JSON.stringify(value)}, got ${JSON.stringify(data[key])}`);
  return data as Extract<T, Record<K, V>>;
}

/** A JSON endpoint's answer (the webhooks) as tests compare it: its status and parsed body. */
export const jsonAnswer = ({ status, data }: Outcome) => ({ status, body: data as Record<string, unknown> });

/** A form answer (Conform's `{ result }`) as the page shows it. */
type FormAnswer = Outcome<{ result: SubmissionResult<string[]> }>;

/** The errors a form answer shows for one field, or for the whole form (`""`). */
export const formErrors = ({ data }: FormAnswer, field = ""): string[] => data.result.error?.[field] ?? [];

/** The values a refused form is shown with again, so nothing typed is lost. */
export const typedValues = ({ data }: FormAnswer) => data.result.initialValue ?? {};

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
