import { Link } from "react-router";
import { Time } from "~/components/time";
import type { Snippet } from "~/lib/inbox";
import { numberName } from "~/lib/our-numbers";
import { formatPhone } from "~/lib/phone";
import { UnreadBadge } from "~/components/unread-badge";
import { LabelChip, type LabelData } from "~/components/label-chip";

export type ConversationRowData = {
  id: string;
  contactNumber: string;
  contactName: string | null;
  optedOut: boolean;
  ourNumber: { number: string; label: string | null };
  /** The team's only: null for a member. */
  handling: { claimed: boolean; assignee: { id: string; name: string } | null } | null;
  /** The team's only: null for a member. */
  labels?: LabelData[] | null;
  lastMessageAt: Date | string | null;
  lastMessage: { body: string; direction: "inbound" | "outbound" } | null;
  unread: number;
  snippet: Snippet | null;
};

/** A list of conversations; `href` is where each row leads. */
export function ConversationRows({
  conversations,
  href,
  currentId,
  showNumber,
}: {
  conversations: ConversationRowData[];
  href: (conversationId: string) => string;
  currentId?: string;
  showNumber: boolean;
}) {
  return (
    <ul
      aria-label="Conversations"
      className="divide-y divide-slate-100 overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm"
    >
      {conversations.map((conversation) => (
        <li key={conversation.id} className={conversation.id === currentId ? "bg-brand-50" : undefined}>
          <ConversationRow
            conversation={conversation}
            to={href(conversation.id)}
            current={conversation.id === currentId}
            showNumber={showNumber}
          />
          {/* Beside the row's link, not in it: each chip is a link of its own (to the list filtered by it). */}
          {conversation.labels?.length ? (
            <ul aria-label="Labels" className="-mt-2 flex flex-wrap gap-1 px-4 pb-3">
              {conversation.labels.map((label) => (
                <li key={label.id}>
                  <LabelChip label={label} />
                </li>
              ))}
            </ul>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

/**
 * One conversation in a list: who (the contact's name with their number
 * beside it, for the team), on which of our numbers, the latest message (or
 * the search's snippet), and what is unread. Claim and assignee are the
 * team's business only.
 */
function ConversationRow({
  conversation,
  to,
  current = false,
  showNumber,
}: {
  conversation: ConversationRowData;
  to: string;
  current?: boolean;
  /** Which of our numbers, once there is more than one to tell apart. */
  showNumber: boolean;
}) {
  return (
    <Link
      to={to}
      aria-current={current ? "page" : undefined}
      className={`flex items-start gap-3 px-4 py-3 hover:bg-slate-50 focus-visible:bg-brand-50 focus-visible:outline-none ${
        current ? "bg-brand-50" : ""
      }`}
    >
      <div className="min-w-0 flex-1">
        <p className="flex flex-wrap items-center gap-x-2 gap-y-0.5">
          <span className={`text-slate-900 ${conversation.unread ? "font-bold" : "font-medium"}`}>
            {conversation.contactName ?? formatPhone(conversation.contactNumber)}
          </span>
          {conversation.contactName ? (
            <span className="text-sm text-slate-600">{formatPhone(conversation.contactNumber)}</span>
          ) : null}
          {conversation.handling && !conversation.handling.claimed ? (
            <span className="text-sm text-slate-500">Unclaimed</span>
          ) : null}
          {showNumber ? (
            <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700">
              <span className="sr-only">via </span>
              {numberName(conversation.ourNumber)}
            </span>
          ) : null}
          {conversation.optedOut ? (
            <span className="rounded-full bg-red-100 px-2 py-0.5 text-xs font-medium text-red-900">Opted out</span>
          ) : null}
        </p>
        <p className="truncate text-sm text-slate-600">
          {conversation.snippet ? (
            <span data-testid="snippet">
              {conversation.snippet.map((part, index) =>
                part.match ? (
                  <mark key={index} className="rounded bg-amber-100 px-0.5 text-slate-900">
                    {part.text}
                  </mark>
                ) : (
                  <span key={index}>{part.text}</span>
                ),
              )}
            </span>
          ) : conversation.lastMessage ? (
            `${conversation.lastMessage.direction === "outbound" ? "You: " : ""}${conversation.lastMessage.body}`
          ) : (
            "No messages yet"
          )}
        </p>
        {conversation.handling ? (
          <p className="text-xs text-slate-500">
            {conversation.handling.assignee ? `Assigned to ${conversation.handling.assignee.name}` : "Unassigned"}
          </p>
        ) : null}
      </div>
      <div className="flex shrink-0 flex-col items-end gap-1">
        {conversation.lastMessageAt ? (
          <Time date={conversation.lastMessageAt} className="text-xs text-slate-500" />
        ) : null}
        {conversation.unread ? <UnreadBadge unread={conversation.unread} className="px-2" /> : null}
      </div>
    </Link>
  );
}
