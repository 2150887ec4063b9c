import { describe, expect, onTestFinished, test, vi } from "vitest";
import { log } from "~/.server/platform/log";
import { db } from "~/.server/platform/db/client";
import { labels } from "~/.server/platform/db/schema";
import { labelConversation } from "~/.server/conversations/labels";
import * as exportCsv from "~/routes/messages.$conversationId.export";
import * as thread from "~/routes/messages.$conversationId";
import { createConversation, createMessages, createUser, freshPhone } from "../support/factories";
import { callLoader, routeArgs } from "../support/route-call";

const download = (cookie: string, conversationId: string) =>
  callLoader(exportCsv.loader, { url: `/messages/${conversationId}/export.csv`, cookie, params: { conversationId } });

/** Watches the log for one test. */
function watchLog() {
  const info = vi.spyOn(log, "info");
  onTestFinished(() => info.mockRestore());
  return info;
}

// Every cell quoted, so a semicolon-separated spreadsheet splits none.
const HEADER = '"time","direction","from","to","author","status","body","labels"';

describe("GET /messages/:id/export.csv", () => {
  test("an admin gets every message in time order, escaped, as an attachment; the export is logged without bodies", async () => {
    const admin = await createUser({ role: "admin" });
    const agent = await createUser({ role: "agent", name: "Ann Agent" });
    const phone = freshPhone();
    const conversation = await createConversation({ contact: phone });
    const t = (second: number) => new Date(Date.UTC(2026, 0, 2, 3, 4, second));
    await createMessages(conversation, [
      { body: 'Hello, is "this" shop open?\nThanks', createdAt: t(3) },
      { body: '=HYPERLINK("http://evil")', createdAt: t(1) },
      {
        direction: "outbound",
        author: "user",
        authorUserId: agent.id,
        body: "-yes, 9-5",
        createdAt: t(5),
        status: "delivered",
      },
      { direction: "outbound", author: "verification-code", body: "@code 123456", createdAt: t(7) },
      { direction: "outbound", author: "system", body: "+ opted in", createdAt: t(9), status: "failed" },
    ]);
    const logged = watchLog();

    const answer = await download(admin.cookie, conversation.id);

    expect(answer).toHaveStatus(200);
    expect(answer.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(answer.headers.get("content-disposition")).toMatch(
      new RegExp(`^attachment; filename="birdline-${phone.slice(1)}-\\d{4}-\\d{2}-\\d{2}\\.csv"$`),
    );
    expect(answer.headers.get("cache-control")).toBe("private, no-store");
    const us = `"'+447700900000"`;
    const them = `"'${phone}"`;
    expect(answer.data).toBe(
      [
        HEADER,
        `"2026-01-02T03:04:01.000Z","inbound",${them},${us},"Contact","received","'=HYPERLINK(""http://evil"")",""`,
        `"2026-01-02T03:04:03.000Z","inbound",${them},${us},"Contact","received","Hello, is ""this"" shop open?\nThanks",""`,
        `"2026-01-02T03:04:05.000Z","outbound",${us},${them},"Ann Agent","delivered","'-yes, 9-5",""`,
        `"2026-01-02T03:04:07.000Z","outbound",${us},${them},"Verification code","sent","'@code 123456",""`,
        `"2026-01-02T03:04:09.000Z","outbound",${us},${them},"Auto-reply","failed","'+ opted in",""`,
        "",
      ].join("\r\n"),
    );
    expect(logged).toHaveBeenCalledWith("conversation exported", {
      userId: admin.id,
      conversationId: conversation.id,
      messages: 5,
    });
    expect(JSON.stringify(logged.mock.calls)).not.toMatch(/HYPERLINK|opted in|shop/);
  });

  test("every row carries the conversation's labels", async () => {
    const admin = await createUser({ role: "admin" });
    const conversation = await createConversation();
    await createMessages(conversation, [{ body: "one" }, { body: "two" }]);
    for (const name of ["vip", "Billing"]) {
      const [label] = await db.insert(labels).values({ name, colour: "blue" }).returning();
      await labelConversation(conversation.id, label!.id, true);
    }
    const rows = String((await download(admin.cookie, conversation.id)).data)
      .trim()
      .split("\r\n");
    expect(rows.slice(1).map((row) => row.split(",").at(-1))).toEqual(['"Billing vip"', '"Billing vip"']);
  });

  test("a conversation without messages is the header alone", async () => {
    const admin = await createUser({ role: "admin" });
    const conversation = await createConversation();
    expect((await download(admin.cookie, conversation.id)).data).toBe(`${HEADER}\r\n`);
  });

  test("the file starts with a UTF-8 byte order mark, so Excel reads accents and emoji right", async () => {
    const admin = await createUser({ role: "admin" });
    const conversation = await createConversation();
    await createMessages(conversation, [{ body: "Dank je 👋" }]);
    const args = routeArgs({
      url: `/messages/${conversation.id}/export.csv`,
      cookie: admin.cookie,
      params: { conversationId: conversation.id },
    });
    const bytes = Buffer.from(await (await exportCsv.loader(args)).arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString("utf8")).toContain("Dank je 👋");
  });

  test("an agent, a member (even in their own conversation) and a made-up id get a 404, and nothing is logged", async () => {
    const phone = freshPhone();
    const member = await createUser({ phone });
    const agent = await createUser({ role: "agent" });
    const admin = await createUser({ role: "admin" });
    const own = await createConversation({ contact: phone, userId: member.id });
    await createMessages(own, [{ body: "private" }]);
    const logged = watchLog();

    expect(await download(member.cookie, own.id)).toHaveStatus(404);
    expect(await download(agent.cookie, own.id)).toHaveStatus(404);
    expect(await download(admin.cookie, crypto.randomUUID())).toHaveStatus(404);
    expect(await download(admin.cookie, "not-a-conversation")).toHaveStatus(404);
    expect(logged).not.toHaveBeenCalled();
  });

  test("signed out, it asks to sign in", async () => {
    const conversation = await createConversation();
    const answer = await callLoader(exportCsv.loader, {
      url: `/messages/${conversation.id}/export.csv`,
      params: { conversationId: conversation.id },
    });
    expect(answer.location).toMatch(/^\/login/);
  });

  test("the thread offers the export to admins only", async () => {
    const conversation = await createConversation();
    const offered = async (role: "agent" | "admin") => {
      const { cookie } = await createUser({ role });
      const page = await callLoader(thread.loader, {
        url: `/messages/${conversation.id}`,
        cookie,
        params: { conversationId: conversation.id },
      });
      return page.data.managesContactData;
    };
    expect(await offered("admin")).toBe(true);
    expect(await offered("agent")).toBe(false);
  });
});
