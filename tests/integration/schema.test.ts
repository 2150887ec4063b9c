import { eq, getTableName, sql } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { database, db } from "~/.server/platform/db/client";
import * as schema from "~/.server/platform/db/schema";

describe("a freshly migrated database", () => {
  test("answers the health check", async () => {
    expect(await database.ping()).toBe(true);
  });

  test("round-trips a row through every table", async () => {
    const [user] = await db
      .insert(schema.users)
      .values({ email: "ada@example.com", name: "Ada", passwordHash: "$argon2id$x", role: "admin" })
      .returning();
    expect(user).toMatchObject({ email: "ada@example.com", role: "admin", phoneNumber: null });

    await db
      .insert(schema.accounts)
      .values({ userId: user!.id, type: "oauth", provider: "github", providerAccountId: "1" });
    await db
      .insert(schema.sessions)
      .values({ sessionToken: "s1", userId: user!.id, expires: new Date(Date.now() + 1e6) });
    await db.insert(schema.verificationTokens).values({ identifier: "ada", token: "t", expires: new Date() });
    await db.insert(schema.phoneVerifications).values({
      userId: user!.id,
      phoneNumber: "+31612345678",
      codeHash: "h",
      expiresAt: new Date(Date.now() + 600_000),
    });
    const [number] = await db
      .insert(schema.numbers)
      .values({ number: "+447700900000", label: "Support UK" })
      .returning();
    await db.insert(schema.numberAutomations).values({
      numberId: number!.id,
      timeZone: "Europe/London",
      weeklyHours: [{ open: true, from: "09:00", to: "17:00" }],
      awayMessage: "Closed",
    });
    const [conversation] = await db
      .insert(schema.conversations)
      .values({ contactNumber: "+31612345678", virtualNumber: "+447700900000", userId: user!.id })
      .returning();
    const createdAt = new Date("2026-01-02T03:04:05.678Z");
    const [message] = await db
      .insert(schema.messages)
      .values({
        conversationId: conversation!.id,
        direction: "inbound",
        body: "Hallo 👋\nzweite Zeile",
        fromNumber: "+31612345678",
        toNumber: "+447700900000",
        status: "received",
        providerMessageId: "mb-1",
        createdAt,
      })
      .returning();
    await db
      .insert(schema.conversationReads)
      .values({ userId: user!.id, conversationId: conversation!.id, lastReadAt: createdAt });
    await db
      .insert(schema.contacts)
      .values({ number: "+31612345678", name: "Ada", note: "VIP", updatedById: user!.id });
    await db
      .insert(schema.notes)
      .values({ conversationId: conversation!.id, authorUserId: user!.id, body: "internal" });
    await db
      .insert(schema.webhookRejections)
      .values({ route: "/webhooks/messagebird", status: 401, reason: "bad secret" });
    await db.insert(schema.webhookNonces).values({ jti: "j1", expiresAt: new Date() });
    await db.insert(schema.revokedSessions).values({ sid: "sid-1", expiresAt: new Date() });
    await db.insert(schema.rateLimits).values({ key: "login:ip:1", count: 1, resetAt: new Date() });
    await db.insert(schema.simulatedSms).values({
      providerMessageId: "sim-1",
      fromNumber: "+447700900000",
      toNumber: "+31612345678",
      body: "hi",
    });
    await db
      .insert(schema.invites)
      .values({ tokenHash: "h", role: "agent", createdById: user!.id, expiresAt: new Date(Date.now() + 1e6) });
    await db.insert(schema.savedReplies).values({ title: "Hours", body: "Hi {name}", createdById: user!.id });
    await db
      .insert(schema.birdWebhooks)
      .values({ id: "whk_1", url: "https://sms.example.com/webhooks/bird", sealedSecret: "s" });
    const [label] = await db.insert(schema.labels).values({ name: "billing", colour: "blue" }).returning();
    await db.insert(schema.conversationLabels).values({ conversationId: conversation!.id, labelId: label!.id });
    await db
      .insert(schema.conversationEvents)
      .values({ conversationId: conversation!.id, kind: "assigned", assigneeId: user!.id, via: "round-robin" });
    await db.insert(schema.autoAssignment).values({ numberId: number!.id, capacity: 5 });

    await db.insert(schema.pushSubscriptions).values({
      userId: user!.id,
      endpoint: "https://fcm.googleapis.com/fcm/send/abc",
      p256dh: "p",
      auth: "a",
      device: "Chrome on Android",
      sessionId: "sid-1",
      sessionVersion: 0,
      sessionExpiresAt: new Date("2030-01-01T00:00:00Z"),
    });
    await db.insert(schema.notificationSettings).values({ userId: user!.id, hideText: true });
    await db.insert(schema.apiTokens).values({ userId: user!.id, name: "CRM", scope: "read+send", tokenHash: "h" });
    await db.insert(schema.apiIdempotencyKeys).values({ userId: user!.id, key: "k", requestHash: "h" });
    const [endpoint] = await db
      .insert(schema.webhookEndpoints)
      .values({ url: "https://crm.example.com/hooks", events: ["message.received"], sealedSecret: "s" })
      .returning();
    await db
      .insert(schema.webhookDeliveries)
      .values({ id: "msg_1", endpointId: endpoint!.id, eventType: "message.received", body: "{}" });
    await db
      .insert(schema.webhookAttempts)
      .values({ deliveryId: "msg_1", startedAt: new Date(), durationMs: 12, statusCode: 200 });

    await db.insert(schema.reportStarts).values({
      conversationId: conversation!.id,
      startedAt: createdAt,
      number: "+447700900000",
      byTeam: false,
    });
    await db
      .insert(schema.reportVolume)
      .values({ bucket: createdAt, number: "+447700900000", inbound: 1, byPeople: 0, automatic: 0, segments: 0 });
    await db.insert(schema.reportWaiting).values({ conversationId: conversation!.id, since: createdAt });
    // report_stale holds the mark the message's insert left.

    const [stored] = await db.select().from(schema.messages).where(eq(schema.messages.id, message!.id));
    expect(stored!.body).toBe("Hallo 👋\nzweite Zeile");
    expect(stored!.createdAt.toISOString()).toBe(createdAt.toISOString());

    const tables = Object.values(schema).filter((value) => typeof value === "object" && value && "getSQL" in value);
    for (const table of tables as (typeof schema.users)[]) {
      const [{ count }] = (await db.select({ count: sql<number>`count(*)::int` }).from(table)) as [{ count: number }];
      expect(count, `rows in ${getTableName(table)}`).toBe(1);
    }
    expect(tables).toHaveLength(35);
  });

  test("refuses a second conversation for the same contact and our number, and a duplicate provider message id", async () => {
    await expect(
      db.insert(schema.conversations).values({ contactNumber: "+31612345678", virtualNumber: "+447700900000" }),
    ).rejects.toThrow();
    await expect(
      db.insert(schema.numbers).values({ number: "+447700900000", label: "Again" }),
      "the same number twice",
    ).rejects.toThrow();
    // The same contact on another of our numbers is another conversation.
    await db.insert(schema.conversations).values({ contactNumber: "+31612345678", virtualNumber: "+31970102030" });
    const [conversation] = await db
      .select()
      .from(schema.conversations)
      .where(eq(schema.conversations.virtualNumber, "+447700900000"));
    await expect(
      db.insert(schema.messages).values({
        conversationId: conversation!.id,
        direction: "inbound",
        body: "again",
        fromNumber: "+31612345678",
        toNumber: "+447700900000",
        status: "received",
        providerMessageId: "mb-1",
      }),
    ).rejects.toThrow();
  });
});
