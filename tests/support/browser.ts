import { CookieJar } from "./route-call";

export type PageResponse = { status: number; location: string | null; html: string; headers: Headers };

/**
 * A browser without JavaScript against a running app: plain requests, a cookie
 * jar, redirects followed by hand. `headers` go on every request (a proxy's
 * X-Forwarded-*, the Origin a browser sends).
 */
export function httpBrowser(baseUrl: string, headers: Record<string, string> = {}) {
  const jar = new CookieJar();
  async function request(pathname: string, form?: Record<string, string>): Promise<PageResponse> {
    const response = await fetch(new URL(pathname, baseUrl), {
      method: form ? "POST" : "GET",
      redirect: "manual",
      headers: { ...headers, cookie: jar.header(), ...(form && { "content-type": "application/x-www-form-urlencoded" }) },
      body: form ? new URLSearchParams(form) : undefined,
    });
    jar.store(response.headers);
    return { status: response.status, location: response.headers.get("location"), html: await response.text(), headers: response.headers };
  }
  return {
    jar,
    get: (pathname: string) => request(pathname),
    post: (pathname: string, fields: Record<string, string> = {}) => request(pathname, fields),
    /** Loads the page, then posts its form with the page's CSRF token, as a browser would. */
    async submit(pathname: string, fields: Record<string, string>) {
      const page = await request(pathname);
      const csrfToken = /name="csrfToken" value="([^"]+)"/.exec(page.html)?.[1] ?? "";
      return request(pathname, { csrfToken, ...fields });
    },
  };
}
