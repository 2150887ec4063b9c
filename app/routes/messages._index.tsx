import { data, Form, Link, redirect } from "react-router";
import { requireUser } from "~/.server/identity/session";
import { findOwnConversations } from "~/.server/conversations/access";
import { listConversations, UNREAD_CAP } from "~/.server/conversations/threads";
import { findNumber, listNumbers } from "~/.server/sms/numbers";
import { numberName } from "~/lib/our-numbers";
import { isStaff } from "~/lib/roles";
import { formatPhone } from "~/lib/phone";
import { useTimeZone } from "~/components/time-zone";
import { formatWhen } from "~/lib/time";
import type { Route } from "./+types/messages._index";

export const meta: Route.MetaFunction = () => [{ title: "Messages · Birdline" }];

export async function loader({ request }: Route.LoaderArgs) {
  const user = await requireUser(request);
  const teamView = isStaff(user);
  if (!teamView) {
    const own = await findOwnConversations(user);
    if (own.length === 0) return { view: "verify-phone" as const };
    // Texting one of our numbers is the usual case: straight to it. Several get a list.
    if (own.length === 1) throw redirect(`/messages/${own[0]}`);
  }
  const params = new URL(request.url).searchParams;
  const search = params.get("q")?.trim() ?? "";
  const numberId = params.get("number");
  const filter = numberId === null ? null : await findNumber(numberId);
  if (numberId !== null && !filter) throw data("There is no such number.", { status: 404 });
  const ourNumbers = teamView ? await listNumbers() : [];
  return {
    view: "list" as const,
    teamView,
    search,
    numberFilter: filter?.id ?? null,
    numbers: ourNumbers.length > 1 ? ourNumbers.map((n) => ({ id: n.id, name: numberName(n) })) : [],
    conversations: await listConversations(user, { search, ourNumber: filter?.number }),
    unreadCap: UNREAD_CAP,
    now: new Date(),
  };
}

export default function Messages({ loaderData }: Route.ComponentProps) {
  const timeZone = useTimeZone();
  if (loaderData.view === "verify-phone") return <VerifyPhonePrompt />;
  const { conversations, search, now, unreadCap, teamView, numbers, numberFilter } = loaderData;
  const filterUrl = (numberId: string | null) => {
    const params = new URLSearchParams();
    if (search) params.set("q", search);
    if (numberId) params.set("number", numberId);
    return params.size ? `/messages?${params}` : "/messages";
  };
  return (
    <section aria-labelledby="inbox-heading" className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h1 id="inbox-heading" className="text-2xl font-bold text-slate-900">
          Conversations
        </h1>
        {teamView ? (
          <Link
            to="/messages/new"
            className="rounded-md bg-brand-600 px-3 py-2 text-sm font-semibold text-white hover:bg-brand-700"
          >
            New conversation
          </Link>
        ) : null}
        <Form method="get" role="search" className="flex gap-2">
          {numberFilter ? <input type="hidden" name="number" value={numberFilter} /> : null}
          <label htmlFor="q" className="sr-only">
            Search by number, name or email
          </label>
          <input
            id="q"
            name="q"
            type="search"
            defaultValue={search}
            placeholder="Number, name or email"
            className="w-56 rounded-md border border-slate-300 px-3 py-2 text-sm focus:border-brand-500 focus:outline-2 focus:outline-brand-500"
          />
          <button
            type="submit"
            className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium hover:bg-slate-50"
          >
            Search
          </button>
        </Form>
      </div>

      {numbers.length > 0 ? (
        <nav aria-label="Our numbers" className="flex flex-wrap gap-2 text-sm">
          {[{ id: null, name: "All numbers" }, ...numbers].map((number) => (
            <Link
              key={number.id ?? "all"}
              to={filterUrl(number.id)}
              aria-current={number.id === numberFilter ? "page" : undefined}
              className="rounded-full border border-slate-300 px-3 py-1 text-slate-700 hover:bg-slate-50 aria-[current=page]:border-brand-600 aria-[current=page]:bg-brand-50 aria-[current=page]:text-brand-900"
            >
              {number.name}
            </Link>
          ))}
        </nav>
      ) : null}

      {conversations.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center text-slate-600">
          {search ? (
            <p>
              Nothing matches “{search}”.{" "}
              <Link to="/messages" className="text-brand-700 underline">
                Show all conversations
              </Link>
            </p>
          ) : (
            <p>No conversations yet. The first SMS to your MessageBird number will appear here.</p>
          )}
        </div>
      ) : (
        <ul
          aria-label="Conversations"
          className="divide-y divide-slate-100 overflow-hidden rounded-xl border border-slate-200 bg-white shadow-sm"
        >
          {conversations.map((conversation) => (
            <li key={conversation.id}>
              <Link
                to={`/messages/${conversation.id}`}
                className="flex items-start gap-3 px-4 py-3 hover:bg-slate-50 focus-visible:bg-brand-50 focus-visible:outline-none"
              >
                <div className="min-w-0 flex-1">
                  <p className="flex flex-wrap items-center gap-2">
                    <span className={`text-slate-900 ${conversation.unread ? "font-bold" : "font-medium"}`}>
                      {formatPhone(conversation.contactNumber)}
                    </span>
                    {teamView ? (
                      <span className="text-sm text-slate-500">{conversation.ownerName ?? "Unclaimed"}</span>
                    ) : null}
                    <span className="rounded-full bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-700">
                      <span className="sr-only">via </span>
                      {numberName(conversation.ourNumber)}
                    </span>
                    {conversation.optedOut ? (
                      <span className="rounded-full bg-red-100 px-2 py-0.5 text-xs font-medium text-red-900">
                        Opted out
                      </span>
                    ) : null}
                  </p>
                  <p className="truncate text-sm text-slate-600">
                    {conversation.lastMessage
                      ? `${conversation.lastMessage.direction === "outbound" ? "You: " : ""}${conversation.lastMessage.body}`
                      : "No messages yet"}
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
                      {conversation.unread >= unreadCap ? `${unreadCap - 1}+` : conversation.unread}
                      <span className="sr-only"> unread</span>
                    </span>
                  ) : null}
                </div>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function VerifyPhonePrompt() {
  return (
    <section className="mx-auto max-w-lg rounded-xl border border-slate-200 bg-white p-8 text-center shadow-sm">
      <h1 className="text-2xl font-bold text-slate-900">Verify your phone first</h1>
      <p className="mt-3 text-slate-600">
        Your messages are the SMS between your phone and Birdline. Tell us your number and prove it is yours with a
        one-time code; anything you texted us before shows up right away.
      </p>
      <Link
        to="/settings/phone"
        className="mt-6 inline-block rounded-md bg-brand-600 px-5 py-2.5 font-semibold text-white hover:bg-brand-700"
      >
        Verify your phone
      </Link>
    </section>
  );
}
