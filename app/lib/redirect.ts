export const DEFAULT_REDIRECT = "/messages";

/**
 * Only same-site relative paths: "/x" yes; "//evil.example", "/\\evil.example",
 * "https://evil.example" and anything odd fall back to the default.
 */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback = DEFAULT_REDIRECT): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  // Browsers ignore tabs and newlines inside URLs, so "/\t/evil.example" would become "//evil.example".
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this refuses
  if (/[\u0000-\u001f\\]/.test(to)) return fallback;
  try {
    const url = new URL(to, "http://birdline.invalid");
    const path = `${url.pathname}${url.search}${url.hash}`;
    // Normalizing can itself produce a protocol-relative URL: "/.//evil.example" → "//evil.example".
    return url.origin === "http://birdline.invalid" && !path.startsWith("//") ? path : fallback;
  } catch {
    return fallback;
  }
}
