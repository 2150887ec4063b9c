import { eq } from "drizzle-orm";
import type { z } from "zod";
import { whyNotStartable } from "~/lib/our-numbers";
import { parseUserPhone } from "~/lib/phone";
import { isStaff } from "~/lib/roles";
import type { Viewer } from "../conversations/access";
import type { SendFailure } from "../conversations/outbound";
import { sendReply } from "../conversations/outbound";
import { startConversation } from "../conversations/start";
import { threadColumns } from "../conversations/threads";
import { db } from "../platform/db/client";
import { messages, users } from "../platform/db/schema";
import { env } from "../platform/env";
import { problemOf } from "../platform/problem";
import { listNumbers } from "../sms/numbers";
import { presentMessage, requireStaff, visibleConversation } from "./conversations";
import type { ApiAnswer } from "./handler";
import { ApiProblem, PROBLEM_TYPES, tooManyRequests, unprocessable } from "./problem";
import type { SendMessageRequest } from "./schemas";

/**
 * POST /api/v1/messages: a reply in a conversation, or the first message to
 * a contact, through the same path as the thread page and /messages/new
 * (limits, opt-out, the outbox). Every outcome is an answer, refusals
 * included, so that `Idempotency-Key` can give it again.
 */
export async function sendMessage(
  viewer: Viewer,
  request: z.output<typeof SendMessageRequest>,
  messageKey: string,
): Promise<ApiAnswer> {
  try {
    const sent =
      "conversationId" in request
        ? await reply(viewer, request.conversationId, request.body, messageKey)
        : await start(viewer, request, messageKey);
    if (!sent.ok) throw refusal(sent);
    return {
      status: 201,
      body: { conversationId: sent.conversationId, message: await messageWithKey(viewer, messageKey) },
    };
  } catch (error) {
    if (error instanceof ApiProblem)
      return { status: error.problem.status, body: error.problem, headers: error.headers };
    throw error;
  }
}

async function reply(viewer: Viewer, conversationId: string, body: string, messageKey: string) {
  // Members reply only in their own conversations, as on the thread page.
  const conversation = await visibleConversation(viewer, conversationId);
  const sent = await sendReply({
    conversation,
    authorId: viewer.id,
    body,
    idempotencyKey: messageKey,
    takeIfUnassigned: isStaff(viewer),
  });
  return sent.ok ? { ok: true as const, conversationId: conversation.id } : sent;
}

async function start(viewer: Viewer, request: { to: string; from: string; body: string }, messageKey: string) {
  requireStaff(viewer, "start conversations");
  const contactNumber = parseUserPhone(request.to, env.defaultCountry);
  const ourNumber = (await listNumbers()).find((number) => number.number === request.from);
  const fromProblem = ourNumber ? whyNotStartable(ourNumber) : "Not one of our numbers: see GET /api/v1/numbers.";
  const errors = [
    ...(contactNumber ? [] : [{ pointer: "/body/to", detail: `“${request.to}” is not a phone number we can text.` }]),
    ...(fromProblem ? [{ pointer: "/body/from", detail: fromProblem }] : []),
  ];
  if (errors.length > 0 || !contactNumber || !ourNumber) throw unprocessable("Nothing was sent.", errors);
  return startConversation({
    contactNumber,
    ourNumber,
    authorId: viewer.id,
    body: request.body,
    idempotencyKey: messageKey,
  });
}

function refusal(failure: SendFailure): ApiProblem {
  switch (failure.reason) {
    case "rate-limited":
      return tooManyRequests(failure.retryAfterSeconds, failure.message);
    case "opted-out":
      return new ApiProblem(
        problemOf(409, failure.message, { type: PROBLEM_TYPES.optedOut, title: "The contact opted out" }),
      );
    case "key-reused":
      return unprocessable(failure.message, undefined, PROBLEM_TYPES.keyMismatch);
    case "empty":
    case "too-long":
      return unprocessable(failure.message, [{ pointer: "/body/body", detail: failure.message }]);
  }
}

async function messageWithKey(viewer: Viewer, messageKey: string) {
  const [message] = await db
    .select(threadColumns)
    .from(messages)
    .leftJoin(users, eq(users.id, messages.authorUserId))
    .where(eq(messages.idempotencyKey, messageKey));
  return presentMessage(viewer, message!);
}
