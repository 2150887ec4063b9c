import { Form, Link, NavLink, Outlet, useParams } from "react-router";
import { requireUser } from "~/.server/identity/session";
import { countViews, listInbox } from "~/.server/conversations/inbox";
import { useTimeZone } from "~/components/time-zone";
import { formatViewCount, inboxHref, parseInboxQuery, VIEW_LABELS, VIEWS, type InboxQuery } from "~/lib/inbox";
import { formatPhone } from "~/lib/phone";
import { isStaff } from "~/lib/roles";
import { formatWhen } from "~/lib/time";
import { formatUnread } from "~/lib/unread";
import type { Route } from "./+types/messages";

/**
 * The inbox: for the team, the conversation list (views, open or resolved,
 * search) beside whichever thread is open; a member has one conversation and
 * gets just that.
 */
export async function loader({ request }: Route.LoaderArgs) {
  const user = await requireUser(request);
  if (!isStaff(user)) return { team: false as const };
  const query = parseInboxQuery(new URL(request.url).searchParams);
  const [page, counts] = await Promise.all([listInbox(user, query), countViews(user, query)]);
  return { team: true as const, query, counts, ...page, now: new Date() };
}

export default function Inbox({ loaderData }: Route.ComponentProps) {
  const { conversationId } = useParams();
  if (!loaderData.team) return <Outlet />;
  return (
    <div className="gap-6 lg:grid lg:grid-cols-[22rem_minmax(0,1fr)]">
      {/* One pane below 1024 px: the list, or the open thread. */}
      <div className={conversationId ? "hidden lg:block" : undefined}>
        <ConversationList {...loaderData} />
      </div>
      <div className={conversationId ? undefined : "hidden lg:block"}>
        <Outlet />
      </div>
    </div>
  );
}

type ListData = Extract<Route.ComponentProps["loaderData"], { team: true }>;

function ConversationList({ query, counts, conversations, next, now }: ListData) {
  const timeZone = useTimeZone();
  const { conversationId } = useParams();
  const resolved = query.status === "resolved";
  return (
    <section aria-labelledby="inbox-heading" className="space-y-3">
      <div className="flex items-baseline justify-between gap-3">
        <h1 id="inbox-heading" className="text-2xl font-bold text-slate-900">
          {resolved ? "Resolved" : "Conversations"}
        </h1>
        <Link
          to={inboxHref({ ...query, after: null, status: resolved ? "open" : "resolved" })}
          className="text-sm font-medium text-brand-700 underline"
        >
          {resolved ? "Show open" : "Show resolved"}
        </Link>
      </div>

      <Form method="get" action="/messages" role="search" className="flex gap-2">
        <input type="hidden" name="view" value={query.view} />
        {resolved ? <input type="hidden" name="status" value="resolved" /> : null}
        <label htmlFor="q" className="sr-only">
          Search by number, name, email or message text
        </label>
        <input
          id="q"
          name="q"
          type="search"
          defaultValue={query.q}
          placeholder="Number, name, email or text"
          className="min-w-0 flex-1 rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-brand-500 focus:outline-2 focus:outline-brand-500"
        />
        <button
          type="submit"
          className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium hover:bg-slate-50"
        >
          Search
        </button>
      </Form>

      <nav aria-label="Views">
        <ul className="flex flex-wrap gap-1.5">
          {VIEWS.map((view) => (
            <li key={view}>
              <NavLink
                to={inboxHref({ ...query, view, after: null })}
                aria-current={view === query.view ? "page" : undefined}
                className={`inline-flex items-center gap-1 rounded-full border px-2.5 py-1 text-xs font-medium ${
                  view === query.view
                    ? "border-brand-600 bg-brand-600 text-white"
                    : "border-slate-300 bg-white text-slate-700 hover:bg-slate-50"
                }`}
              >
                {VIEW_LABELS[view]}
                <span data-testid={`count-${view}`}>{formatViewCount(counts[view])}</span>
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>

      {conversations.length === 0 ? (
        <EmptyList query={query} />
      ) : (
        <ul
          aria-label="Conversations"
          className="divide-y divide-slate-100 overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm"
        >
          {conversations.map((conversation) => (
            <li key={conversation.id}>
              <Link
                // The list's own query goes along, so the list beside the thread stays as it was.
                to={inboxHref(query, `/messages/${conversation.id}`)}
                aria-current={conversation.id === conversationId ? "page" : undefined}
                className={`flex items-start gap-3 px-4 py-3 hover:bg-slate-50 focus-visible:bg-brand-50 focus-visible:outline-none ${
                  conversation.id === conversationId ? "bg-brand-50" : ""
                }`}
              >
                <div className="min-w-0 flex-1">
                  <p className="flex flex-wrap items-center gap-x-2 gap-y-0.5">
                    <span className={`text-slate-900 ${conversation.unread ? "font-bold" : "font-medium"}`}>
                      {formatPhone(conversation.contactNumber)}
                    </span>
                    <span className="text-sm text-slate-500">{conversation.ownerName ?? "Unclaimed"}</span>
                    {conversation.optedOut ? (
                      <span className="rounded-full bg-red-100 px-2 py-0.5 text-xs font-medium text-red-900">
                        Opted out
                      </span>
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
                  <p className="text-xs text-slate-500">
                    {conversation.assignee ? `Assigned to ${conversation.assignee.name}` : "Unassigned"}
                  </p>
                </div>
                <div className="flex shrink-0 flex-col items-end gap-1">
                  {conversation.lastMessageAt ? (
                    <time
                      dateTime={new Date(conversation.lastMessageAt).toISOString()}
                      className="text-xs text-slate-500"
                    >
                      {formatWhen(conversation.lastMessageAt, timeZone, new Date(now))}
                    </time>
                  ) : null}
                  {conversation.unread ? (
                    <span className="rounded-full bg-brand-600 px-2 py-0.5 text-xs font-semibold text-white">
                      {formatUnread(conversation.unread)}
                      <span className="sr-only"> unread</span>
                    </span>
                  ) : null}
                </div>
              </Link>
            </li>
          ))}
        </ul>
      )}
      {next ? (
        <p className="text-center">
          <Link
            to={inboxHref({ ...query, after: next })}
            className="rounded-full border border-slate-300 px-3 py-1 text-sm text-slate-700 hover:bg-slate-50"
          >
            More conversations
          </Link>
        </p>
      ) : null}
    </section>
  );
}

function EmptyList({ query }: { query: InboxQuery }) {
  const filtered = query.q !== "" || query.view !== "all" || query.status !== "open";
  return (
    <div className="rounded-xl border border-dashed border-slate-300 bg-white p-8 text-center text-slate-600">
      {filtered ? (
        <p>
          {query.q ? `Nothing matches “${query.q}” here.` : "Nothing here."}{" "}
          <Link to="/messages" className="text-brand-700 underline">
            Show all open conversations
          </Link>
        </p>
      ) : (
        <p>No open conversations. A new SMS to your MessageBird number will appear here.</p>
      )}
    </div>
  );
}
