import { describe, expect, test } from "vitest";
import { endpoint } from "~/.server/api/handler";
import { expectProblem, tokenFor } from "../support/api";
import { createUser } from "../support/factories";

// What a client gets when an endpoint fails in a way no handler foresaw: a problem document all the same.

async function answerOf(handle: () => Promise<never>) {
  const token = await tokenFor(await createUser({ role: "agent" }));
  const request = new Request("http://localhost:3000/api/v1/numbers", {
    headers: { authorization: `Bearer ${token}` },
  });
  const response = await endpoint(handle)({ request, params: {} });
  return { status: response.status, headers: response.headers, json: await response.json() };
}

describe("an unforeseen failure", () => {
  test("is a 500 problem that says no more than that", async () => {
    const answer = await answerOf(() => Promise.reject(new Error("relation secret_table does not exist")));
    expect(expectProblem(answer, 500).detail).not.toContain("secret_table");
  });

  test("while the database is away, a 503 with Retry-After", async () => {
    const lost = Object.assign(new Error("write ECONNRESET"), { code: "ECONNRESET", syscall: "write" });
    const answer = await answerOf(() => Promise.reject(new Error("Failed query", { cause: lost })));
    expectProblem(answer, 503);
    expect(answer.headers.get("retry-after")).toBe("5");
  });
});
