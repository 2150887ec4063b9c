import type { z } from "zod";
import { problemOf, PROBLEM_CONTENT_TYPE, type Problem } from "../platform/problem";

/**
 * The API's errors as RFC 9457 problem documents. A handler throws an
 * `ApiProblem`; `handler.ts` turns it into the response. Types beyond
 * `about:blank` name what a client may want to react to in code.
 */

// Names, not addresses: nothing to fetch, and they stay the same on every install.
const TYPE_BASE = "urn:birdline:problem:";

export const PROBLEM_TYPES = {
  invalid: `${TYPE_BASE}invalid-request`,
  scope: `${TYPE_BASE}insufficient-scope`,
  role: `${TYPE_BASE}insufficient-role`,
  rateLimited: `${TYPE_BASE}rate-limited`,
  optedOut: `${TYPE_BASE}opted-out`,
  keyMismatch: `${TYPE_BASE}idempotency-key-reused`,
  keyInFlight: `${TYPE_BASE}idempotency-key-in-flight`,
} as const;

export class ApiProblem extends Error {
  constructor(
    readonly problem: Problem,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.detail);
  }
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { "Content-Type": PROBLEM_CONTENT_TYPE, ...headers },
  });
}

export const notFound = (detail = "No such resource, or not one this token may see.") =>
  new ApiProblem(problemOf(404, detail));

export const unauthorized = (detail: string) =>
  new ApiProblem(problemOf(401, detail), { "WWW-Authenticate": 'Bearer realm="birdline"' });

/** A request that parsed but names things that are not there, or asks what cannot be: 422 with the fields. */
export const unprocessable = (detail: string, errors?: Problem["errors"], type: string = PROBLEM_TYPES.invalid) =>
  new ApiProblem(problemOf(422, detail, { type, title: "Unprocessable request", errors }));

export const tooManyRequests = (retryAfterSeconds: number, detail: string) =>
  new ApiProblem(problemOf(429, detail, { type: PROBLEM_TYPES.rateLimited, title: "Too many requests" }), {
    "Retry-After": String(retryAfterSeconds),
  });

/** Zod's issues as the problem's `errors`, each at a JSON pointer into `where` (`/body/to`, `/query/view`). */
export function invalidRequest(where: "body" | "query", error: z.ZodError): ApiProblem {
  const errors = error.issues.map((issue) => ({
    pointer: ["", where, ...issue.path.map(String)].join("/"),
    detail: issue.message,
  }));
  return new ApiProblem(
    problemOf(400, `The request's ${where} has ${errors.length === 1 ? "a problem" : `${errors.length} problems`}.`, {
      type: PROBLEM_TYPES.invalid,
      title: "Invalid request",
      errors,
    }),
  );
}
