import { and, eq, inArray, isNull, lte, or } from "drizzle-orm";
import { isOpenAt } from "~/lib/business-hours";
import { consentKeyword } from "../conversations/consent";
import { queueOutbound } from "../conversations/outbound";
import { HELP_ANSWER_KEY } from "../conversations/outbox";
import { db } from "../platform/db/client";
import type { Db } from "../platform/db/connect";
import { conversations, messages, numberAutomations, numbers } from "../platform/db/schema";
import { env } from "../platform/env";
import { publish } from "../platform/event-bus";
import { log } from "../platform/log";
import { hitLimit, type Limit } from "../platform/rate-limit";
import { defaultHelpText, isHelpRequest } from "./help";

/**
 * What a number answers by itself once an inbound SMS is stored: the help text
 * to HELP or INFO, and outside its hours the away message, at most once per
 * conversation per AWAY_REPLY_EVERY. Both go through the outbox as `system`
 * messages, so they are retried, shown in the thread and never count as a
 * person's answer.
 */
export const AUTO_REPLY_TASK = "auto_reply";

// Each answer is an SMS the operator pays for, and anyone can text HELP over and over.
const HELP_ANSWERS_PER_CONVERSATION: Limit = { name: "help-answer-conversation", max: 5, windowMs: 3_600_000 };

type Arrival = Awaited<ReturnType<typeof arrivals>>[number];

const arrivals = (messageIds: string[]) =>
  db
    .select({
      messageId: messages.id,
      body: messages.body,
      receivedAt: messages.createdAt,
      conversation: {
        id: conversations.id,
        virtualNumber: conversations.virtualNumber,
        contactNumber: conversations.contactNumber,
        userId: conversations.userId,
      },
      label: numbers.label,
      settings: {
        hoursOn: numberAutomations.hoursOn,
        timeZone: numberAutomations.timeZone,
        weeklyHours: numberAutomations.weeklyHours,
        awayMessage: numberAutomations.awayMessage,
        helpText: numberAutomations.helpText,
      },
    })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .leftJoin(numbers, eq(numbers.number, conversations.virtualNumber))
    .leftJoin(numberAutomations, eq(numberAutomations.numberId, numbers.id))
    .where(and(inArray(messages.id, messageIds), eq(messages.direction, "inbound")))
    .orderBy(messages.createdAt, messages.id);

/** The task: each stored SMS of a batch, oldest first. */
export async function answerInbound(messageIds: string[]): Promise<void> {
  for (const arrival of await arrivals(messageIds)) {
    if (isHelpRequest(arrival.body)) await answerHelp(arrival);
    else if (consentKeyword(arrival.body) === null) await replyIfClosed(arrival);
  }
}

/** Keyed by the HELP it answers: a retried job finds its answer written and sends nothing more. */
async function answerHelp({ messageId, conversation, label, settings }: Arrival) {
  const limit = await hitLimit(HELP_ANSWERS_PER_CONVERSATION, conversation.id);
  if (limit.limited) {
    log.info("HELP not answered: too many in an hour", { conversationId: conversation.id });
    return;
  }
  const body = settings?.helpText ?? defaultHelpText(label);
  await send(conversation, body, `${HELP_ANSWER_KEY}${messageId}`);
}

async function replyIfClosed({ messageId, receivedAt, conversation, settings }: Arrival) {
  if (!settings?.hoursOn || isOpenAt(settings.weeklyHours, settings.timeZone, receivedAt)) return;
  await send(conversation, settings.awayMessage, `away:${messageId}`, (tx) =>
    claimAwayReply(tx, conversation.id, receivedAt),
  );
}

/**
 * Of a burst's jobs, on however many instances, the first to update the row wins; the others wait
 * for its lock, then find the condition false. An opted-out contact never matches.
 */
async function claimAwayReply(tx: Db, conversationId: string, receivedAt: Date): Promise<boolean> {
  const windowStart = new Date(receivedAt.getTime() - env.awayReplyEveryMs);
  const claimed = await tx
    .update(conversations)
    .set({ awayRepliedAt: receivedAt })
    .where(
      and(
        eq(conversations.id, conversationId),
        isNull(conversations.optedOutAt),
        or(isNull(conversations.awayRepliedAt), lte(conversations.awayRepliedAt, windowStart)),
      ),
    )
    .returning({ id: conversations.id });
  return claimed.length > 0;
}

/** Queues a `system` SMS once per key; `claim`, in the same transaction, may decide it is not to go. */
async function send(
  conversation: Arrival["conversation"],
  body: string,
  idempotencyKey: string,
  claim: (tx: Db) => Promise<boolean> = async () => true,
) {
  const written = await db.transaction(async (tx) =>
    (await claim(tx))
      ? queueOutbound(tx, { conversation, body, idempotencyKey, author: { kind: "system" } })
      : undefined,
  );
  if (written) publish({ kind: "message", conversationId: conversation.id, messageId: written.id });
}
