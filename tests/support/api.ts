import { afterAll, beforeAll } from "vitest";
import { createToken } from "~/.server/api/tokens";
import type { TokenScope } from "~/lib/api-token-schemas";
import { startApp, stopApp, type AppProcess } from "./app-process";

/** A token of `user`'s as /settings/tokens would make it. */
export async function tokenFor(
  user: { id: string },
  { scope = "read+send", expiresAt = null }: { scope?: TokenScope; expiresAt?: Date | null } = {},
) {
  return (await createToken({ userId: user.id, name: "test", scope, expiresAt })).token;
}

export type ApiCall = { body?: unknown; headers?: Record<string, string>; token?: string | null };

/** The REST API as a script calls it: bearer token, JSON in and out. */
export function apiClient(baseUrl: string) {
  return async function call(method: string, path: string, { body, headers = {}, token = null }: ApiCall = {}) {
    const response = await fetch(new URL(path, baseUrl), {
      method,
      headers: {
        ...(token && { authorization: `Bearer ${token}` }),
        ...(body !== undefined && { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    const json = response.headers.get("content-type")?.includes("json") ? (JSON.parse(text) as never) : null;
    return { status: response.status, headers: response.headers, text, json };
  };
}

/** What every problem document has (RFC 9457), and the media type it comes as. */
export function expectProblem(
  answer: { status: number; headers: Headers; json: unknown },
  status: number,
): { type: string; title: string; status: number; detail: string; errors?: { pointer: string; detail: string }[] } {
  const problem = answer.json as { type: string; title: string; status: number; detail: string };
  if (
    answer.status !== status ||
    answer.headers.get("content-type") !== "application/problem+json" ||
    problem.status !== status ||
    typeof problem.title !== "string" ||
    typeof problem.detail !== "string" ||
    typeof problem.type !== "string"
  )
    throw new Error(
      `expected a ${status} problem document, got ${answer.status} ${answer.headers.get("content-type")}: ${JSON.stringify(answer.json)}`,
    );
  return problem;
}

/** The built app for this test file (started before its tests, stopped after), and the API on it. */
export function builtAppWithApi() {
  let app: AppProcess | undefined;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(() => stopApp(app!));
  const url = () => app!.url;
  return { url, api: (...args: Parameters<ReturnType<typeof apiClient>>) => apiClient(url())(...args) };
}
