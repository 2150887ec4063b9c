import { Link, redirect } from "react-router";
import { requireUser } from "~/.server/identity/session";
import { findOwnConversations } from "~/.server/conversations/access";
import { listInbox } from "~/.server/conversations/inbox";
import { ConversationRows } from "~/components/conversation-row";
import { parseInboxQuery } from "~/lib/inbox";
import { isStaff } from "~/lib/roles";
import { titleWithUnread } from "~/lib/unread";
import type { Route } from "./+types/messages._index";

export const meta: Route.MetaFunction = ({ matches }) => titleWithUnread(matches, "Messages · Birdline");

export async function loader({ request }: Route.LoaderArgs) {
  const user = await requireUser(request);
  if (isStaff(user)) return { view: "team" as const };
  const own = await findOwnConversations(user);
  if (own.length === 0) return { view: "verify-phone" as const };
  // Texting one of our numbers is the usual case: straight to it. Several get a list.
  if (own.length === 1) throw redirect(`/messages/${own[0]}`);
  const { conversations } = await listInbox(user, parseInboxQuery(new URLSearchParams()));
  return { view: "list" as const, conversations };
}

export default function MessagesIndex({ loaderData }: Route.ComponentProps) {
  if (loaderData.view === "verify-phone") return <VerifyPhonePrompt />;
  if (loaderData.view === "list") {
    const { conversations } = loaderData;
    return (
      <section aria-labelledby="inbox-heading" className="mx-auto max-w-2xl space-y-4">
        <h1 id="inbox-heading" className="text-2xl font-bold text-slate-900">
          Your conversations
        </h1>
        <ConversationRows conversations={conversations} href={(id) => `/messages/${id}`} showNumber />
      </section>
    );
  }
  // The right-hand pane before a conversation is picked (wide screens only; narrow ones show just the list).
  return (
    <div className="flex h-full min-h-64 items-center justify-center rounded-2xl border border-dashed border-slate-300 bg-white p-10 text-center text-slate-500">
      <p>Pick a conversation to read and reply.</p>
    </div>
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
