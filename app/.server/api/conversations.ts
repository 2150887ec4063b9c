import type { z } from "zod";
import { parseInboxQuery } from "~/lib/inbox";
import { isStaff } from "~/lib/roles";
import { findVisibleConversation, seesInternal, type Conversation as Row, type Viewer } from "../conversations/access";
import { assign, assignableUsers, reopen, resolve } from "../conversations/assignment";
import { contactNamesOf } from "../conversations/contacts";
import { listInbox, type ConversationSummary as Summary } from "../conversations/inbox";
import { labelConversation, labelsOf, listLabels } from "../conversations/labels";
import { authorLabel, teamAuthorLabel, threadPage, type ThreadMessage } from "../conversations/threads";
import { problemOf } from "../platform/problem";
import { listNumbers } from "../sms/numbers";
import { ApiProblem, notFound, PROBLEM_TYPES, unprocessable } from "./problem";
import type * as Schemas from "./schemas";

/** The conversation endpoints: the inbox's own list and thread pages, in the API's shapes. */

type ApiConversation = z.infer<typeof Schemas.Conversation>;

/** The conversation, or a 404 that looks the same for a made-up id and someone else's. */
export async function visibleConversation(viewer: Viewer, conversationId: string): Promise<Row> {
  const conversation = await findVisibleConversation(viewer, conversationId);
  if (!conversation) throw notFound("No such conversation, or not one this token may see.");
  return conversation;
}

/** One page of the list, with the inbox's filters (`/messages?view=&status=&number=&label=&q=`). */
export async function listConversations(
  viewer: Viewer,
  { cursor, ...filters }: z.output<typeof Schemas.ConversationListQuery>,
): Promise<z.input<typeof Schemas.ConversationList>> {
  const params = new URLSearchParams(Object.entries(filters).filter((entry): entry is [string, string] => !!entry[1]));
  if (cursor) params.set("after", cursor);
  const page = await listInbox(viewer, parseInboxQuery(params));
  return {
    data: page.conversations.map((summary) => ({
      ...presentSummary(summary),
      lastMessage: summary.lastMessage,
      unread: summary.unread,
    })),
    next: page.next,
  };
}

function presentSummary(summary: Summary): ApiConversation {
  const labels = summary.labels ?? [];
  return {
    id: summary.id,
    contact: { number: summary.contactNumber, name: summary.contactName },
    ourNumber: summary.ourNumber,
    optedOut: summary.optedOut,
    lastMessageAt: summary.lastMessageAt?.toISOString() ?? null,
    handling: summary.handling && {
      status: summary.handling.resolved ? "resolved" : "open",
      claimed: summary.handling.claimed,
      assignee: summary.handling.assignee,
      labels,
    },
  };
}

/** One conversation as the list shows it, read for a conversation already found visible. */
export async function presentConversation(viewer: Viewer, row: Row): Promise<ApiConversation> {
  const internal = seesInternal(viewer);
  const [numbers, names, team, labels] = await Promise.all([
    listNumbers(),
    internal ? contactNamesOf([row.id]) : null,
    internal && row.assigneeId ? assignableUsers() : [],
    internal ? labelsOf([row.id]) : null,
  ]);
  const assignee = row.assigneeId
    ? { id: row.assigneeId, name: team.find((person) => person.id === row.assigneeId)?.name ?? "Someone" }
    : null;
  return presentSummary({
    id: row.id,
    contactNumber: row.contactNumber,
    contactName: names?.get(row.id) ?? null,
    optedOut: row.optedOutAt !== null,
    ourNumber: {
      number: row.virtualNumber,
      label: numbers.find((number) => number.number === row.virtualNumber)?.label ?? null,
    },
    handling: internal ? { claimed: row.userId !== null, resolved: row.resolvedAt !== null, assignee } : null,
    labels: labels?.get(row.id) ?? (internal ? [] : null),
    lastMessageAt: row.lastMessageAt,
    lastMessage: null,
    unread: 0,
    snippet: null,
  });
}

/** A page of the thread, newest page first, each page oldest first. Reading through the API marks nothing read. */
export async function listMessages(
  viewer: Viewer,
  conversation: Row,
  cursor: string | undefined,
): Promise<z.input<typeof Schemas.MessageList>> {
  const page = await threadPage(conversation.id, cursor);
  return { data: page.messages.map((message) => presentMessage(viewer, message)), next: page.older };
}

export function presentMessage(viewer: Viewer, message: ThreadMessage): z.input<typeof Schemas.Message> {
  return {
    id: message.id,
    direction: message.direction,
    body: message.body,
    status: message.status,
    error: message.errorMessage,
    segments: message.segments,
    author: {
      kind: message.author,
      name: isStaff(viewer) ? teamAuthorLabel(message) : authorLabel(viewer, message),
    },
    createdAt: message.createdAt.toISOString(),
    statusAt: message.statusAt?.toISOString() ?? null,
  };
}

/** A member's token may read its user's conversations but not change who handles them. */
export function requireStaff(viewer: Viewer, what: string) {
  if (!isStaff(viewer))
    throw new ApiProblem(
      problemOf(403, `Only agents and admins ${what}.`, { type: PROBLEM_TYPES.role, title: "Not for this role" }),
    );
}

/**
 * Changes assignee, status and labels, all checked before any is made: an
 * unknown assignee or label changes nothing. Each change is recorded as the
 * token's user's, as if made on the thread page.
 */
export async function updateConversation(
  viewer: Viewer,
  conversation: Row,
  change: z.output<typeof Schemas.UpdateConversationRequest>,
): Promise<void> {
  requireStaff(viewer, "change who handles a conversation");
  const [team, known] = await Promise.all([
    change.assigneeId ? assignableUsers() : [],
    change.labels ? listLabels() : [],
  ]);
  const errors = [
    ...(change.assigneeId && !team.some((person) => person.id === change.assigneeId)
      ? [{ pointer: "/body/assigneeId", detail: "Not an active agent or admin." }]
      : []),
    ...(change.labels ?? []).flatMap((labelId, index) =>
      known.some((label) => label.id === labelId)
        ? []
        : [{ pointer: `/body/labels/${index}`, detail: "No such label." }],
    ),
  ];
  if (errors.length > 0) throw unprocessable("Nothing was changed.", errors);

  const actor = { actorUserId: viewer.id };
  if (change.assigneeId !== undefined && !(await assign(conversation.id, change.assigneeId, actor)))
    throw unprocessable("Nothing was changed.", [
      { pointer: "/body/assigneeId", detail: "Not an active agent or admin." },
    ]);
  if (change.status === "resolved") await resolve(conversation.id, actor);
  if (change.status === "open") await reopen(conversation.id, actor);
  if (change.labels) {
    const wanted = new Set(change.labels);
    const current = new Set(((await labelsOf([conversation.id])).get(conversation.id) ?? []).map((label) => label.id));
    for (const labelId of wanted) if (!current.has(labelId)) await labelConversation(conversation.id, labelId, true);
    for (const labelId of current) if (!wanted.has(labelId)) await labelConversation(conversation.id, labelId, false);
  }
}
