import { eq } from "drizzle-orm";
import { describe, expect, test } from "vitest";
import { runDueJobs } from "~/.server/background";
import { sendReply } from "~/.server/conversations/outbound";
import { db } from "~/.server/platform/db/client";
import { messages, simulatedSms } from "~/.server/platform/db/schema";
import { useMessageBirdMock } from "../mocks/messagebird";
import { createConversation, createUser } from "../support/factories";

// The simulator reports deliveries to our own status webhook over HTTP.
useMessageBirdMock();

describe("which of our numbers sends", () => {
  test("a reply goes out from the number its conversation is on, not the default one", async () => {
    const agent = await createUser({ role: "agent" });
    const conversation = await createConversation({ contact: "+31612340077", ourNumber: "+31970102030" });

    const sent = await sendReply({
      conversation,
      authorId: agent.id,
      body: "From the NL number",
      idempotencyKey: crypto.randomUUID(),
    });

    expect(sent.ok).toBe(true);
    await runDueJobs();
    const [stored] = await db.select().from(messages).where(eq(messages.conversationId, conversation.id));
    expect(stored).toMatchObject({ fromNumber: "+31970102030", toNumber: "+31612340077" });
    const [handset] = await db.select().from(simulatedSms).where(eq(simulatedSms.toNumber, "+31612340077"));
    expect(handset).toMatchObject({ fromNumber: "+31970102030", body: "From the NL number" });
  });
});
