import { eq } from "drizzle-orm";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { sendReply } from "~/.server/conversations/outbound";
import { db } from "~/.server/platform/db/client";
import { conversations, messages, simulatedSms, users } from "~/.server/platform/db/schema";

// The simulator reports deliveries to our own status webhook; nothing listens in this test.
const server = setupServer(http.get(/\/webhooks\/messagebird\/status/, () => HttpResponse.json({ status: "ignored" })));
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

describe("which of our numbers sends", () => {
  test("a reply goes out from the number its conversation is on, not the default one", async () => {
    const [agent] = await db.insert(users).values({ email: "agent-sender@example.com", role: "agent" }).returning();
    const [conversation] = await db
      .insert(conversations)
      .values({ contactNumber: "+31612340077", virtualNumber: "+31970102030" })
      .returning();

    const sent = await sendReply({ conversation: conversation!, authorId: agent!.id, body: "From the NL number", idempotencyKey: crypto.randomUUID() });

    expect(sent.ok).toBe(true);
    const [stored] = await db.select().from(messages).where(eq(messages.conversationId, conversation!.id));
    expect(stored).toMatchObject({ fromNumber: "+31970102030", toNumber: "+31612340077" });
    const [handset] = await db.select().from(simulatedSms).where(eq(simulatedSms.toNumber, "+31612340077"));
    expect(handset).toMatchObject({ fromNumber: "+31970102030", body: "From the NL number" });
  });
});
