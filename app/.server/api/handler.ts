import type { z } from "zod";
import type { TokenScope } from "~/lib/api-token-schemas";
import { isConnectionLoss } from "../platform/db/connection-loss";
import { log } from "../platform/log";
import { problemOf, type Problem } from "../platform/problem";
import { authenticate } from "./auth";
import { ApiProblem, invalidRequest, problemResponse } from "./problem";
import type { TokenUser } from "./tokens";

/**
 * One API endpoint as a React Router loader or action: the token decides who
 * it acts as, its scope and its rate limit; a thrown `ApiProblem` becomes its
 * problem document, and so does anything unexpected (logged, 500, or 503
 * while the database is away). Route modules stay a line or two each.
 */

export type ApiRequest<P> = TokenUser & { request: Request; params: P };
/** What an endpoint answers: JSON, or a problem document for a status of 400 and up. */
export type ApiAnswer = { status: number; body: unknown; headers?: Record<string, string> };

export function endpoint<P>(
  handle: (request: ApiRequest<P>) => Promise<ApiAnswer>,
  { scope = "read" }: { scope?: TokenScope } = {},
) {
  return async ({ request, params }: { request: Request; params: P }): Promise<Response> => {
    try {
      const caller = await authenticate(request, scope);
      const { status, body, headers = {} } = await handle({ ...caller, request, params });
      if (status >= 400) return problemResponse(body as Problem, headers);
      return Response.json(body, { status, headers });
    } catch (error) {
      if (error instanceof ApiProblem) return problemResponse(error.problem, error.headers);
      log.error("request failed", { method: request.method, path: new URL(request.url).pathname, error });
      // A restart or failover of the database is over in moments: "try again", as the pages say it.
      return isConnectionLoss(error)
        ? problemResponse(problemOf(503, "The database is not reachable just now. Try again shortly."), {
            "Retry-After": "5",
          })
        : problemResponse(problemOf(500, "Something went wrong on our side; it has been logged."));
    }
  };
}

/** The answer to a method the path does not have, e.g. DELETE on /conversations. */
export const methodNotAllowed =
  (...allowed: string[]) =>
  async () =>
    problemResponse(problemOf(405, `This path answers ${allowed.join(" and ")}.`), { Allow: allowed.join(", ") });

/** The query string, as `schema` reads it; 400 with each problem otherwise. */
export function readQuery<S extends z.ZodType>(request: Request, schema: S): z.output<S> {
  const parsed = schema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) throw invalidRequest("query", parsed.error);
  return parsed.data;
}

/** The JSON body, as `schema` reads it (the edge has refused other encodings and large bodies). */
export async function readBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  let json: unknown;
  try {
    json = await request.json();
  } catch {
    throw new ApiProblem(
      problemOf(400, "The body is not JSON. Send a JSON object with Content-Type: application/json."),
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw invalidRequest("body", parsed.error);
  return parsed.data;
}
