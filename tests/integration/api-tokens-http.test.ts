import { describe, expect, test } from "vitest";
import { builtAppWithApi, expectProblem } from "../support/api";
import { browser } from "../support/browser";
import { createUser } from "../support/factories";
import { CookieJar } from "../support/route-call";

// /settings/tokens as a browser without JavaScript uses it, against the built server.

const { api, url } = builtAppWithApi();

async function signedIn(role: "member" | "agent" = "member") {
  const user = await createUser({ role });
  const jar = new CookieJar();
  jar.store(new Headers({ "set-cookie": user.cookie }));
  return browser(url(), { jar });
}

const TOKEN = /bl_[A-Za-z0-9_-]{43}/;

describe("/settings/tokens without JavaScript", () => {
  test("a token made by the form is shown once, works as a bearer token, and stops working once revoked", async () => {
    const visitor = await signedIn();
    const made = await visitor.post("/settings/tokens", { intent: "create", name: "CRM sync", scope: "read" });
    expect(made).toHaveRedirect("/settings/tokens");
    expect(made.location).not.toMatch(TOKEN);

    const page = await visitor.get("/settings/tokens");
    const token = TOKEN.exec(page.html)?.[0];
    expect(token).toBeDefined();
    expect(page.html).toContain("CRM sync");
    expect(page.html).toContain('href="/api/v1/openapi.json"');
    const again = await visitor.get("/settings/tokens");
    expect(again.html).not.toMatch(TOKEN);
    expect(again.html).toContain("CRM sync");

    expect((await api("GET", "/api/v1/conversations", { token })).status).toBe(200);
    const used = await visitor.get("/settings/tokens");
    expect(used.html).toMatch(/Last used<\/dt><dd><time/);

    const tokenId = /name="tokenId" value="([^"]+)"/.exec(used.html)![1]!;
    expect(await visitor.post("/settings/tokens", { intent: "revoke", tokenId })).toHaveRedirect("/settings/tokens");
    expectProblem(await api("GET", "/api/v1/conversations", { token }), 401);
    expect((await visitor.get("/settings/tokens")).html).not.toContain("CRM sync");
  });

  test("a refused form says why and keeps what was typed", async () => {
    const visitor = await signedIn();
    const refused = await visitor.post("/settings/tokens", {
      intent: "create",
      name: "Order system",
      scope: "read+send",
      expiresInDays: "30",
      expiresOn: "2099-01-01",
    });
    expect(refused).toHaveStatus(400);
    expect(refused.html).toContain("Give a number of days or a date, not both.");
    expect(refused.html).toContain('value="Order system"');
  });

  test("another person's new token is never shown, and their tokens cannot be revoked", async () => {
    const owner = await signedIn();
    await owner.post("/settings/tokens", { intent: "create", name: "Mine", scope: "read" });
    const ownerPage = await owner.get("/settings/tokens");
    const tokenId = /name="tokenId" value="([^"]+)"/.exec(ownerPage.html)![1]!;

    const other = await signedIn("agent");
    expect(await other.post("/settings/tokens", { intent: "revoke", tokenId })).toHaveStatus(404);
    expect((await other.get("/settings/tokens")).html).not.toContain("Mine");
  });
});
