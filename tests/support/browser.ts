import http from "node:http";
import { CookieJar } from "./route-call";

export type Page = { status: number; location: string | null; headers: Headers; html: string };

/**
 * One HTTP request with the path sent exactly as given: fetch() would resolve
 * `/./` and `/../` before sending, and those are paths worth testing.
 */
function send(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Page> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(baseUrl);
    const request = http.request({ hostname, port, method, path, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const received = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          for (const item of [value ?? []].flat()) received.append(name, item);
        }
        resolve({
          status: response.statusCode!,
          location: received.get("location"),
          headers: received,
          html: Buffer.concat(chunks).toString(),
        });
      });
    });
    request.on("error", reject);
    request.end(body);
  });
}

/**
 * A browser without JavaScript: plain requests, a cookie jar, redirects followed
 * by hand. `headers` go on every request (a proxy's X-Forwarded-*, the Origin a browser sends).
 */
export function browser(
  baseUrl: string,
  { jar = new CookieJar(), headers: always = {} }: { jar?: CookieJar; headers?: Record<string, string> } = {},
) {
  async function request(method: string, path: string, form?: Record<string, string>) {
    const headers: Record<string, string> = { ...always, cookie: jar.header() };
    if (form) headers["content-type"] = "application/x-www-form-urlencoded";
    const page = await send(baseUrl, method, path, headers, form && new URLSearchParams(form).toString());
    jar.store(page.headers);
    return page;
  }
  /** The CSRF token of a page's form (its cookie lands in the jar). */
  async function csrfToken(path = "/login") {
    return /name="csrfToken" value="([^"]+)"/.exec((await request("GET", path)).html)?.[1] ?? "";
  }
  return {
    jar,
    request,
    csrfToken,
    get: (path: string) => request("GET", path),
    post: (path: string, form: Record<string, string> = {}) => request("POST", path, form),
    /** Loads the page, then posts its form with the page's CSRF token, as a browser would. */
    submit: async (path: string, fields: Record<string, string>) =>
      request("POST", path, { csrfToken: await csrfToken(path), ...fields }),
  };
}
