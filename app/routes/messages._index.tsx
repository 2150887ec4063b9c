import { Form, Link, redirect } from "react-router";
import { requireUser } from "~/.server/identity/session";
import { findOwnConversation } from "~/.server/conversations/access";
import { listConversations, UNREAD_CAP } from "~/.server/conversations/threads";
import { isStaff } from "~/lib/roles";
import { formatPhone } from "~/lib/phone";
import { Time } from "~/components/time";
import type { Route } from "./+types/messages._index";

export const meta: Route.MetaFunction = () => [{ title: "Messages · Birdline" }];

export async function loader({ request }: Route.LoaderArgs) {
  const user = await requireUser(request);
  if (!isStaff(user)) {
    const own = await findOwnConversation(user);
    if (own) throw redirect(`/messages/${own}`);
    return { view: "verify-phone" as const };
  }
  const search = new URL(request.url).searchParams.get("q")?.trim() ?? "";
  return {
    view: "team" as const,
    search,
    conversations: await listConversations(user, { search }),
    unreadCap: UNREAD_CAP,
  };
}

export default function Messages({ loaderData }: Route.ComponentProps) {
  if (loaderData.view === "verify-phone") return <VerifyPhonePrompt />;
  const { conversations, search, unreadCap } = loaderData;
  return (
    <section aria-labelledby="inbox-heading" className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h1 id="inbox-heading" className="text-2xl font-bold text-slate-900">
          Conversations
        </h1>
        <Form method="get" role="search" className="flex gap-2">
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
                    <span className="text-sm text-slate-500">{conversation.ownerName ?? "Unclaimed"}</span>
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
                    <Time date={conversation.lastMessageAt} className="text-xs text-slate-500" />
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
