import { STATUS_CODES } from "node:http";

/**
 * An RFC 9457 problem document, the REST API's one shape for every error,
 * whether the edge refuses a request or a handler does. `about:blank` means
 * "nothing more than the status says"; anything more specific has a type of its own.
 */
export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  /** Field problems: where in the request (`body.to`, `query.view`) and what is wrong there. */
  errors?: { pointer: string; detail: string }[];
};

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export function problemOf(
  status: number,
  detail: string,
  { type = "about:blank", title, errors }: { type?: string; title?: string; errors?: Problem["errors"] } = {},
): Problem {
  return {
    type,
    title: title ?? STATUS_CODES[status] ?? "Error",
    status,
    detail,
    ...(errors && { errors }),
  };
}
