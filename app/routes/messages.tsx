import { data, Form, Link, NavLink, Outlet, useParams } from "react-router";
import { requireUser } from "~/.server/identity/session";
import { countViews, listInbox } from "~/.server/conversations/inbox";
import { listNumbers } from "~/.server/sms/numbers";
import { listLabels } from "~/.server/conversations/labels";
import { LabelChip } from "~/components/label-chip";
import { outboxBacklog } from "~/.server/conversations/outbox";
import { providerName } from "~/.server/sms/gateway";
import { Time } from "~/components/time";
import { ConversationRows } from "~/components/conversation-row";
import { WIDE_PAGE } from "~/components/page-width";
import { formatViewCount, inboxHref, parseInboxQuery, VIEW_LABELS, VIEWS, type InboxQuery } from "~/lib/inbox";
import { numberName } from "~/lib/our-numbers";
import { hasRole, isStaff, PROVIDER_ROLE } from "~/lib/roles";
import type { Route } from "./+types/messages";

/**
 * The inbox: for the team, the conversation list (views, open or resolved,
 * search) beside whichever thread is open; a member has one conversation and
 * gets just that.
 */
// The list beside an open thread (and its contact panel) needs the room.
export const handle = WIDE_PAGE;

export async function loader({ request }: Route.LoaderArgs) {
  const user = await requireUser(request);
  if (!isStaff(user)) return { team: false as const };
  const params = new URL(request.url).searchParams;
  const query = parseInboxQuery(params);
  const [page, counts, ourNumbers, labels, backlog] = await Promise.all([
    listInbox(user, query),
    countViews(user, query),
    listNumbers(),
    listLabels(),
    hasRole(user, PROVIDER_ROLE) ? outboxBacklog() : null,
  ]);
  const numberId = params.get("number");
  if (numberId !== null && !ourNumbers.some((n) => n.id === numberId))
    throw data("There is no such number.", { status: 404 });
  const labelId = params.get("label");
  const label = labelId === null ? null : labels.find((l) => l.id === labelId);
  if (label === undefined) throw data("There is no such label.", { status: 404 });
  // Filter links only once there is something to choose between.
  const numbers = ourNumbers.length > 1 ? ourNumbers.map((n) => ({ id: n.id, name: numberName(n) })) : [];
  // Where an erase lands (see the thread's `intent=erase`); any other link leaves it behind.
  const erased = params.get("erased") === "1";
  // Replies waiting on the provider: the admin learns of an outage here, and sees it end.
  const outage = backlog?.since ? { provider: providerName(), since: backlog.since, waiting: backlog.waiting } : null;
  return { team: true as const, query, counts, numbers, label, erased, outage, ...page };
}

export default function Inbox({ loaderData }: Route.ComponentProps) {
  const { conversationId } = useParams();
  if (!loaderData.team) return <Outlet />;
  return (
    <>
      {loaderData.outage ? <OutageBanner {...loaderData.outage} /> : null}
      <div className="gap-6 lg:grid lg:grid-cols-[22rem_minmax(0,1fr)]">
        {/* One pane below 1024 px: the list, or the open thread. */}
        <div className={conversationId ? "hidden lg:block" : undefined}>
          <ConversationList {...loaderData} />
        </div>
        <div className={conversationId ? undefined : "hidden lg:block"}>
          <Outlet />
        </div>
      </div>
    </>
  );
}

/** The outbox retries by itself: this says why replies are waiting, and that nobody needs to do anything. */
function OutageBanner({ provider, since, waiting }: { provider: string; since: Date; waiting: number }) {
  return (
    <p role="status" className="mb-4 rounded-md border border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900">
      <strong className="font-semibold">
        {provider} unreachable since <Time date={since} />
      </strong>{" "}
      · {waiting} {waiting === 1 ? "reply" : "replies"} waiting. They go out by themselves once it answers again.
    </p>
  );
}

type ListData = Extract<Route.ComponentProps["loaderData"], { team: true }>;

function ConversationList({ query, counts, numbers, label, conversations, next, erased }: ListData) {
  const { conversationId } = useParams();
  const resolved = query.status === "resolved";
  return (
    <section aria-labelledby="inbox-heading" className="space-y-3">
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-2">
        <h1 id="inbox-heading" className="text-2xl font-bold text-slate-900">
          {resolved ? "Resolved" : "Conversations"}
        </h1>
        <div className="flex flex-wrap items-baseline gap-3">
          <Link
            to={inboxHref({ ...query, after: null, status: resolved ? "open" : "resolved" })}
            className="text-sm font-medium text-brand-700 underline"
          >
            {resolved ? "Show open" : "Show resolved"}
          </Link>
          <Link
            to="/messages/new"
            className="rounded-md bg-brand-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-700"
          >
            New conversation
          </Link>
        </div>
      </div>

      {erased ? (
        <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 p-3 text-sm text-emerald-900">
          Erased: that contact&rsquo;s conversations, messages, notes and details are gone.
        </p>
      ) : null}

      <Form method="get" action="/messages" role="search" className="flex gap-2">
        <input type="hidden" name="view" value={query.view} />
        {resolved ? <input type="hidden" name="status" value="resolved" /> : null}
        {query.number ? <input type="hidden" name="number" value={query.number} /> : null}
        {query.label ? <input type="hidden" name="label" value={query.label} /> : null}
        <label htmlFor="q" className="sr-only">
          Search by number, name, email, message text or label:name
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

      {numbers.length > 0 ? (
        <nav aria-label="Our numbers">
          <ul className="flex flex-wrap gap-1.5 text-xs">
            {[{ id: null, name: "All numbers" }, ...numbers].map((number) => (
              <li key={number.id ?? "all"}>
                <Link
                  to={inboxHref({ ...query, number: number.id, after: null })}
                  aria-current={number.id === query.number ? "page" : undefined}
                  className="inline-flex rounded-full border border-slate-300 px-2.5 py-1 font-medium text-slate-700 hover:bg-slate-50 aria-[current=page]:border-brand-600 aria-[current=page]:bg-brand-50 aria-[current=page]:text-brand-900"
                >
                  {number.name}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}

      {label ? (
        <p className="flex flex-wrap items-center gap-2 text-sm text-slate-700">
          Only conversations labelled <LabelChip label={label} plain />
          <Link to={inboxHref({ ...query, label: null, after: null })} className="font-medium text-brand-700 underline">
            Show all labels
          </Link>
        </p>
      ) : null}

      {conversations.length === 0 ? (
        <EmptyList query={query} />
      ) : (
        <ConversationRows
          conversations={conversations}
          // The list's own query goes along, so the list beside the thread stays as it was.
          href={(id) => inboxHref(query, `/messages/${id}`)}
          currentId={conversationId}
          showNumber={numbers.length > 0}
        />
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
  const filtered =
    query.q !== "" || query.view !== "all" || query.status !== "open" || query.number !== null || query.label !== null;
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
