import type { HeadersFunction } from "react-router";

/**
 * React Router passes only Set-Cookie from a loader or action on to the
 * response by itself. Routes that can refuse with 429 export this as their
 * `headers`, so the client learns when to try again.
 */
export const passRetryAfter: HeadersFunction = ({ actionHeaders, parentHeaders }) => {
  const headers = new Headers(parentHeaders);
  const retryAfter = actionHeaders.get("Retry-After");
  if (retryAfter) headers.set("Retry-After", retryAfter);
  return headers;
};
