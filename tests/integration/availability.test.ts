import { eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { db } from "~/.server/platform/db/client";
import { numbers, users } from "~/.server/platform/db/schema";
import { setAway } from "~/.server/identity/availability";
import { assign, reopen, resolve } from "~/.server/conversations/assignment";
import { assignNext, setAssignmentRule } from "~/.server/automations/round-robin";
import * as availability from "~/routes/settings.availability";
import * as thread from "~/routes/messages.$conversationId";
import * as root from "~/root";
import { createConversation, createMessage, createUser, freshPhone } from "../support/factories";
import { callAction, callLoader } from "../support/route-call";

const setAvailability = (cookie: string, form: Record<string, string>) =>
  callAction(availability.action, { url: "/settings/availability", cookie, form });
const awayOf = async (id: string) => (await db.select().from(users).where(eq(users.id, id)))[0]!.awaySince;
const headerAway = async (cookie: string) => (await callLoader(root.loader, { url: "/messages", cookie })).data.away;

describe("Available / Away", () => {
  test("an agent sets themselves away and back, and goes back to the page they were on", async () => {
    const agent = await createUser({ role: "agent" });
    expect(await headerAway(agent.cookie)).toBe(false);

    const away = await setAvailability(agent.cookie, { away: "1", redirectTo: "/messages?view=mine" });
    expect(away).toHaveRedirect("/messages?view=mine");
    expect(await awayOf(agent.id)).toBeInstanceOf(Date);
    expect(await headerAway(agent.cookie)).toBe(true);

    expect(await setAvailability(agent.cookie, { away: "0", redirectTo: "/team" })).toHaveRedirect("/team");
    expect(await awayOf(agent.id)).toBeNull();
  });

  test("a redirect off the site falls back to the inbox", async () => {
    const admin = await createUser({ role: "admin" });
    for (const redirectTo of ["https://evil.example/", "//evil.example", "/\\evil.example"])
      expect(await setAvailability(admin.cookie, { away: "1", redirectTo })).toHaveRedirect("/messages");
  });

  test("a member has no such switch: the header carries none, the form is a 404", async () => {
    const member = await createUser({ phone: freshPhone() });
    expect(await headerAway(member.cookie)).toBeNull();
    expect(await setAvailability(member.cookie, { away: "1", redirectTo: "/messages" })).toHaveStatus(404);
    expect(await awayOf(member.id)).toBeNull();
  });

  test("signed out, it asks to sign in", async () => {
    const answer = await callAction(availability.action, { url: "/settings/availability", form: { away: "1" } });
    expect(answer.location).toMatch(/^\/login/);
  });
});

describe("system lines in the thread", () => {
  test("staff read each change of handling between the messages, in time order; the member reads none", async () => {
    const phone = freshPhone();
    const member = await createUser({ phone });
    const ana = await createUser({ role: "agent", name: "Ana" });
    const ben = await createUser({ role: "agent", name: "Ben" });
    const [number] = await db.insert(numbers).values({ number: "+447700900777", label: "Lines" }).returning();
    await setAssignmentRule({ numberId: number!.id, mode: "round-robin" });
    // Only Ana is in: round robin picks her.
    await db.update(users).set({ awaySince: new Date() });
    await setAway(ana.id, false);

    const conversation = await createConversation({ contact: phone, userId: member.id, ourNumber: number!.number });
    await createMessage(conversation, { body: "Hello?" });
    await assignNext(conversation.id);
    await assign(conversation.id, ben.id, { actorUserId: ana.id });
    await resolve(conversation.id, { actorUserId: ben.id });
    await reopen(conversation.id, { actorUserId: ana.id });
    await assign(conversation.id, null, { actorUserId: ana.id });

    const timeline = (cookie: string) =>
      callLoader(thread.loader, {
        url: `/messages/${conversation.id}`,
        cookie,
        params: { conversationId: conversation.id },
      }).then(({ data }) => data.timeline.map((item) => (item.type === "system" ? item.text : item.type)));

    expect(await timeline(ben.cookie)).toEqual([
      "message",
      "Assigned to Ana by round robin",
      "Ana assigned this to Ben",
      "Resolved by Ben",
      "Reopened by Ana",
      "Ana unassigned this",
    ]);
    expect(await timeline(member.cookie)).toEqual(["message"]);
  });

  test("nobody available: the thread says why", async () => {
    const agent = await createUser({ role: "agent" });
    await db.update(users).set({ awaySince: new Date() });
    const [number] = await db.insert(numbers).values({ number: "+447700900778", label: "Quiet" }).returning();
    await setAssignmentRule({ numberId: number!.id, mode: "round-robin" });
    const conversation = await createConversation({ ourNumber: number!.number });
    await createMessage(conversation);
    expect(await assignNext(conversation.id)).toBe("none-available");

    const { data } = await callLoader(thread.loader, {
      url: `/messages/${conversation.id}`,
      cookie: agent.cookie,
      params: { conversationId: conversation.id },
    });
    expect(data.timeline.at(-1)).toMatchObject({
      type: "system",
      text: expect.stringMatching(/^Left unassigned by round robin: nobody is available/),
    });
  });
});
