const HOST = /^[a-z0-9.\-_]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i;

/**
 * The URL the browser used: scheme and authority from the connection (`Host`,
 * or a trusted proxy's `X-Forwarded-*`), path and query from the request
 * target, which must be origin-form ("/path?query"). WHATWG URL parsing reads
 * "//host/…" and "/\host/…" as network-path references that carry their own
 * authority, so such a target would choose the origin that form posts are
 * checked against and the host local mode admits (decision 010). Null means 400.
 */
export function requestUrl(target: string | undefined, protocol: string, host: string): URL | null {
  if (!target?.startsWith("/") || target[1] === "/" || target[1] === "\\" || !HOST.test(host)) return null;
  try {
    const authority = new URL(`${protocol}//${host}`);
    const url = new URL(target, authority);
    return url.origin === authority.origin ? url : null;
  } catch {
    return null;
  }
}
