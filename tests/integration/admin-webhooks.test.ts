import { describe, expect, test } from "vitest";
import * as page from "~/routes/admin.webhooks";
import * as inbound from "~/routes/webhooks.messagebird";
import { settle } from "../support/route-call";
import { signedInUser } from "../support/session";

const open = (cookie: string) =>
  settle<any>(() =>
    page.loader({ request: new Request("http://localhost:3000/admin/webhooks", { headers: { cookie } }), params: {}, context: {} } as never),
  );

describe("refused webhooks page", () => {
  test("shows admins why a webhook was refused, without the secret that was tried", async () => {
    await settle(() =>
      inbound.action({
        request: new Request("http://localhost:3000/webhooks/messagebird?secret=guessed-secret-123", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ originator: "+31612345678", recipient: "+447700900000", payload: "hello" }),
        }),
        params: {},
        context: { clientIp: "203.0.113.9" },
      } as never),
    );
    const admin = await signedInUser("admin");
    const { status, data } = await open(admin.cookie);
    expect(status).toBe(200);
    expect(data.rejections[0]).toMatchObject({ route: "/webhooks/messagebird", status: 401, reason: "wrong secret", sourceIp: "203.0.113.9" });
    expect(data.rejections[0].excerpt).toContain("hello");
    expect(JSON.stringify(data)).not.toContain("guessed-secret-123");
  });

  test.each(["agent", "member"] as const)("is a 404 for a %s", async (role) => {
    const user = await signedInUser(role);
    expect((await open(user.cookie)).status).toBe(404);
  });
});
