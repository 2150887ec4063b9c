import { describe, expect, test } from "vitest";
import * as page from "~/routes/admin.webhooks";
import * as inbound from "~/routes/webhooks.messagebird";
import { createUser } from "../support/factories";
import { callAction, callLoader } from "../support/route-call";

const open = (cookie: string) => callLoader(page.loader, { url: "/admin/webhooks", cookie });

describe("refused webhooks page", () => {
  test("shows admins why a webhook was refused, without the secret that was tried", async () => {
    await callAction(inbound.action, {
      request: new Request("http://localhost:3000/webhooks/messagebird?secret=guessed-secret-123", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ originator: "+31612345678", recipient: "+447700900000", payload: "hello" }),
      }),
      context: { clientIp: "203.0.113.9" },
    });
    const admin = await createUser({ role: "admin" });
    const outcome = await open(admin.cookie);
    expect(outcome).toHaveStatus(200);
    const { rejections } = outcome.data;
    expect(rejections[0]).toMatchObject({
      route: "/webhooks/messagebird",
      status: 401,
      reason: "wrong secret",
      sourceIp: "203.0.113.9",
    });
    expect(rejections[0]!.excerpt).toContain("hello");
    expect(JSON.stringify(outcome.data)).not.toContain("guessed-secret-123");
  });

  test.each(["agent", "member"] as const)("is a 404 for a %s", async (role) => {
    const user = await createUser({ role });
    expect(await open(user.cookie)).toHaveStatus(404);
  });
});
