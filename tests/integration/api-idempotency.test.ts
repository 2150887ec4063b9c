import { eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { once, purgeIdempotencyKeys, requestHash } from "~/.server/api/idempotency";
import { ApiProblem } from "~/.server/api/problem";
import { db } from "~/.server/platform/db/client";
import { apiIdempotencyKeys } from "~/.server/platform/db/schema";
import { createUser } from "../support/factories";

// The parts of Idempotency-Key that one process cannot show over HTTP: a claim held by another instance, and one left behind.

const created = (messageKey: string) => Promise.resolve({ status: 201, body: { messageKey } });

async function claimElsewhere(userId: string, key: string, request: object, createdAt: Date) {
  const [row] = await db
    .insert(apiIdempotencyKeys)
    .values({ userId, key, requestHash: requestHash(request), createdAt })
    .returning();
  return row!;
}

describe("a key claimed by another instance", () => {
  test("while it is under way, a repeat is told to retry (409, Retry-After), and nothing runs here", async () => {
    const agent = await createUser({ role: "agent" });
    await claimElsewhere(agent.id, "k1", { body: "Hi" }, new Date());
    let ran = false;
    const answer = once(agent.id, "k1", { body: "Hi" }, (key) => ((ran = true), created(key)));
    const problem = await answer.catch((error: unknown) => error);
    expect(problem).toBeInstanceOf(ApiProblem);
    expect((problem as ApiProblem).problem.status).toBe(409);
    expect((problem as ApiProblem).headers["Retry-After"]).toBe("1");
    expect(ran).toBe(false);
  });

  test("left without an answer (its instance stopped), it is taken over under the same message key", async () => {
    const agent = await createUser({ role: "agent" });
    const row = await claimElsewhere(agent.id, "k2", { body: "Hi" }, new Date(Date.now() - 5 * 60_000));
    const answer = await once(agent.id, "k2", { body: "Hi" }, created);
    expect(answer).toEqual({ status: 201, body: { messageKey: `api:${row.id}` } });
    const [kept] = await db.select().from(apiIdempotencyKeys).where(eq(apiIdempotencyKeys.id, row.id));
    expect(kept?.responseStatus).toBe(201);
  });
});

describe("what is kept", () => {
  test("a 429 is not kept: the retry sends", async () => {
    const agent = await createUser({ role: "agent" });
    const first = await once(agent.id, "k3", { body: "Hi" }, () => Promise.resolve({ status: 429, body: {} }));
    expect(first.status).toBe(429);
    expect((await once(agent.id, "k3", { body: "Hi" }, created)).status).toBe(201);
  });

  test("after 24 hours a key is free again, and the purge forgets it", async () => {
    const agent = await createUser({ role: "agent" });
    const old = await claimElsewhere(agent.id, "k4", { body: "Hi" }, new Date(Date.now() - 25 * 3600_000));
    const answer = await once(agent.id, "k4", { body: "Something else" }, created);
    expect(answer.body).not.toEqual({ messageKey: `api:${old.id}` });

    await claimElsewhere(agent.id, "k5", { body: "Hi" }, new Date(Date.now() - 25 * 3600_000));
    await purgeIdempotencyKeys();
    const left = await db.select().from(apiIdempotencyKeys).where(eq(apiIdempotencyKeys.userId, agent.id));
    expect(left.map((row) => row.key)).toEqual(["k4"]);
  });
});
