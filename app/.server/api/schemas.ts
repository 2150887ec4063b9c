import { z } from "zod";
import { LABEL_COLOURS } from "~/lib/labels";
import { STATUSES, VIEWS } from "~/lib/inbox";
import { smsText } from "~/lib/reply-schema";

/**
 * The REST API's requests and answers, as zod schemas: the handlers parse
 * with them and `openapi.ts` turns the same schemas into the document, so
 * the two cannot drift apart.
 */

const cursor = z.string().max(500).describe("The `next` of the previous page.");
const uuid = z.uuid();

export const ConversationListQuery = z
  .object({
    view: z.enum(VIEWS).default("all").describe("One of the inbox's views, as on /messages."),
    status: z.enum(STATUSES).default("open").describe("Open or resolved; staff only (a member sees all of theirs)."),
    number: uuid.optional().describe("Only conversations on this number of ours (its `id` from /numbers)."),
    label: uuid.optional().describe("Only conversations with this label (the team's: a member's token ignores it)."),
    q: z.string().trim().max(200).optional().describe("Search: contact number, name or message text."),
    cursor: cursor.optional(),
  })
  .strict();

export const PageQuery = z.object({ cursor: cursor.optional() }).strict();

// Postgres keeps no NUL in text: refused here as a field problem, not a 500.
const withoutNul = (text: z.ZodType<string>) =>
  text.refine((value) => !value.includes("\0"), "Text may not contain NUL characters.");

const body = withoutNul(smsText("The message text is missing.")).describe(
  "The SMS as it goes out (not trimmed), at most 10 parts.",
);

export const SendMessageRequest = z.union([
  z.object({ conversationId: uuid.describe("Reply in this conversation."), body }).strict(),
  z
    .object({
      to: z.string().max(32).describe("The contact's number; without a +, read as a number of DEFAULT_COUNTRY."),
      from: z.string().max(32).describe("One of our numbers, as `number` in /numbers."),
      body,
    })
    .strict(),
]);

export const UpdateConversationRequest = z
  .object({
    assigneeId: z.string().max(64).nullable().optional().describe("An active agent or admin; null unassigns."),
    status: z.enum(STATUSES).optional(),
    labels: z
      .array(uuid)
      .max(50)
      .optional()
      .describe("The conversation's labels, all of them: the ones left out are taken off."),
  })
  .strict()
  .refine((change) => Object.keys(change).length > 0, "Say what to change: assigneeId, status or labels.");

const timestamp = z.iso.datetime();

export const Label = z.object({ id: uuid, name: z.string(), colour: z.enum(LABEL_COLOURS) });

const handling = z
  .object({
    status: z.enum(STATUSES),
    claimed: z.boolean().describe("A member has verified the contact's number."),
    assignee: z.object({ id: z.string(), name: z.string() }).nullable(),
    labels: z.array(Label),
  })
  .nullable()
  .describe("Who handles it: the team's, null for a member's token.");

export const Conversation = z.object({
  id: uuid,
  contact: z.object({
    number: z.string(),
    name: z.string().nullable().describe("What the team calls them; always null for a member's token."),
  }),
  ourNumber: z.object({ number: z.string(), label: z.string().nullable() }),
  optedOut: z.boolean().describe("The contact sent STOP: nothing can be sent until they send START."),
  lastMessageAt: timestamp.nullable(),
  handling,
});

export const ConversationSummary = Conversation.extend({
  lastMessage: z.object({ body: z.string(), direction: z.enum(["inbound", "outbound"]) }).nullable(),
  unread: z.int().describe("Messages the token's user has not read (counted up to 100)."),
});

export const Message = z.object({
  id: uuid,
  direction: z.enum(["inbound", "outbound"]),
  body: z.string(),
  status: z.string().describe("queued, sent, delivered, failed … for ours; received for theirs."),
  error: z.string().nullable().describe("Why it failed, or why it is still waiting."),
  segments: z.int().nullable(),
  author: z.object({
    kind: z.enum(["contact", "user", "system", "verification-code"]),
    name: z.string().nullable().describe("As the token's user may read it: a member reads “Support” for the team."),
  }),
  createdAt: timestamp,
  statusAt: timestamp.nullable(),
});

export const OurNumber = z.object({
  id: uuid,
  number: z.string(),
  label: z.string().nullable(),
  isDefault: z.boolean(),
  archived: z.boolean(),
  canStart: z.boolean().describe("A new conversation may start on it (POST /messages with `from`)."),
});

const next = z.string().nullable().describe("Pass as `cursor` for the next page; null on the last one.");

export const ConversationList = z.object({ data: z.array(ConversationSummary), next });

export const MessageList = z.object({
  data: z.array(Message).describe("Oldest first; each page goes further back."),
  next,
});

export const NumberList = z.object({ data: z.array(OurNumber) });

export const SentMessage = z.object({ conversationId: uuid, message: Message });

export const ProblemDocument = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    errors: z.array(z.object({ pointer: z.string(), detail: z.string() })).optional(),
  })
  .describe("RFC 9457 problem details.");
