import { Link, redirect } from "react-router";
import { requireUser } from "~/.server/identity/session";
import { findOwnConversation } from "~/.server/conversations/access";
import { isStaff } from "~/lib/roles";
import { titleWithUnread } from "~/lib/unread";
import type { Route } from "./+types/messages._index";

export const meta: Route.MetaFunction = ({ matches }) => titleWithUnread(matches, "Messages · Birdline");

export async function loader({ request }: Route.LoaderArgs) {
  const user = await requireUser(request);
  if (isStaff(user)) return { view: "team" as const };
  const own = await findOwnConversation(user);
  if (own) throw redirect(`/messages/${own}`);
  return { view: "verify-phone" as const };
}

export default function MessagesIndex({ loaderData }: Route.ComponentProps) {
  if (loaderData.view === "verify-phone") return <VerifyPhonePrompt />;
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
