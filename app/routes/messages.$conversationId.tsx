import type { SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, Link, redirect } from "react-router";
import { requireRole, requireUser } from "~/.server/identity/session";
import { sendAgainNow, sendReply, type SendFailure } from "~/.server/conversations/outbound";
import { cancelSend } from "~/.server/conversations/outbox";
import { findVisibleConversation, seesInternal } from "~/.server/conversations/access";
import { authorLabel, markRead, threadPage } from "~/.server/conversations/threads";
import { assign, assignableUsers, reopen, resolve } from "~/.server/conversations/assignment";
import { listSavedReplies, savedReplyOffer } from "~/.server/conversations/saved-replies";
import { contactDetails, updateContact } from "~/.server/conversations/contacts";
import {
  addNote,
  deleteOwnNote,
  inTimeOrder,
  notesWithin,
  type ThreadNote as Note,
} from "~/.server/conversations/notes";
import { eraseContact } from "~/.server/conversations/erase";
import { labelConversation, labelsOf, listLabels } from "~/.server/conversations/labels";
import { systemLinesWithin, type SystemLine } from "~/.server/conversations/events";
import { LabelChip } from "~/components/label-chip";
import { SystemLine as SystemLineItem } from "~/components/system-line";
import { ThreadLabels } from "~/components/thread-labels";
import { LabelConversationSchema } from "~/lib/labels";
import { nameOfNumber } from "~/.server/sms/numbers";
import { ContactPanel } from "~/components/contact-panel";
import { isWaiting, MessageStatus } from "~/components/message-status";
import { ThreadNote } from "~/components/thread-note";
import { ReplyForm } from "~/components/reply-form";
import { Time, useClock } from "~/components/time";
import { passRetryAfter } from "~/lib/headers";
import { CONTACT_DATA_ROLE, hasRole, isStaff } from "~/lib/roles";
import { AddNoteSchema, ContactSchema, DeleteNoteSchema, EraseSchema } from "~/lib/contact-schemas";
import { formatPhone } from "~/lib/phone";
import { AssignSchema, OutboxActionSchema, ReplySchema } from "~/lib/reply-schema";
import { titleWithUnread } from "~/lib/unread";
import { inboxHref, parseInboxQuery } from "~/lib/inbox";
import { groupByDay } from "~/lib/time";
import type { Route } from "./+types/messages.$conversationId";

export const headers = passRetryAfter;

export const meta: Route.MetaFunction = ({ loaderData, matches }) => {
  if (!loaderData) return titleWithUnread(matches, "Conversation · Birdline");
  const number = formatPhone(loaderData.conversation.contactNumber);
  const name = loaderData.contact?.displayName;
  return titleWithUnread(matches, `${name ? `${name} · ${number}` : number} · Birdline`);
};

async function requireConversation(request: Request, conversationId: string) {
  const user = await requireUser(request);
  const conversation = await findVisibleConversation(user, conversationId);
  // Someone else's conversation and a made-up id look the same: 404.
  if (!conversation) throw data("This conversation does not exist, or it is not yours.", { status: 404 });
  return { user, conversation };
}

export async function loader({ request, params }: Route.LoaderArgs) {
  const { user, conversation } = await requireConversation(request, params.conversationId);
  const query = new URL(request.url).searchParams;
  const before = query.get("before");
  const teamView = isStaff(user);
  const internal = seesInternal(user);
  const [page, via, team, contact, replies] = await Promise.all([
    threadPage(conversation.id, before),
    nameOfNumber(conversation.virtualNumber),
    internal ? assignableUsers() : null,
    internal ? contactDetails(conversation) : null,
    teamView && !before ? listSavedReplies() : null,
  ]);
  // The team's; `?reply=<id>` (the picker without JavaScript) fills the box with one.
  const savedReplies =
    replies && contact
      ? savedReplyOffer(replies, { name: contact.spokenName, agent: user.name ?? "" }, query.get("reply"))
      : null;
  // Only the team's pages ever load notes, system lines and labels: a member's answer (HTML or .data) has none to leak.
  const [notes, systemLines, labels] = await Promise.all([
    internal ? notesWithin(user, conversation.id, page.span) : ([] as Note[]),
    internal ? systemLinesWithin(conversation.id, page.span) : ([] as SystemLine[]),
    internal ? Promise.all([labelsOf([conversation.id]), listLabels()]) : null,
  ]);
  if (!before) await markRead(user.id, conversation.id);
  return {
    conversation: {
      id: conversation.id,
      contactNumber: conversation.contactNumber,
      optedOut: conversation.optedOutAt !== null,
      via,
    },
    // Who handles it is the team's business: a member's answer carries none of it.
    handling: team
      ? {
          claimed: conversation.userId !== null,
          resolved: conversation.resolvedAt !== null,
          assigneeId: conversation.assigneeId,
          team,
        }
      : null,
    // Names only as this viewer may read them: a member never receives an agent's name.
    timeline: inTimeOrder(
      page.messages.map(({ author, authorUserId, authorName, ...message }) => ({
        ...message,
        authorLabel: authorLabel(user, { author, authorUserId, authorName }),
        // The number's own answers (away message, HELP) look unlike anyone's reply.
        automatic: author === "system",
      })),
      notes,
      systemLines,
    ),
    labels: labels ? { on: labels[0].get(conversation.id) ?? [], all: labels[1] } : null,
    contact: contact?.details ?? null,
    older: page.older,
    latest: !before,
    teamView,
    managesContactData: hasRole(user, CONTACT_DATA_ROLE),
    savedReplies,
    viewerId: user.id,
    // One key per rendered form: a resubmitted or double-clicked form sends once.
    idempotencyKey: crypto.randomUUID(),
  };
}

export async function action({ request, params }: Route.ActionArgs) {
  const { user, conversation } = await requireConversation(request, params.conversationId);
  const formData = await request.formData();
  const intent = formData.get("intent");
  // Back to the thread with the list beside it as it was (same view, search and page).
  const thread = inboxHref(parseInboxQuery(new URL(request.url).searchParams), `/messages/${conversation.id}`);

  if (intent === "send") {
    const submission = parseWithZod(formData, { schema: ReplySchema });
    if (submission.status !== "success") return data({ result: submission.reply() }, { status: 400 });
    const sent = await sendReply({
      conversation,
      authorId: user.id,
      takeIfUnassigned: isStaff(user),
      ...submission.value,
    });
    if (!sent.ok) return refused(submission.reply({ formErrors: [sent.message] }), sent);
    // Stored and queued: the thread shows it going out.
    throw redirect(thread);
  }

  if (intent === "send-now" || intent === "cancel") {
    const submission = parseWithZod(formData, { schema: OutboxActionSchema });
    if (submission.status !== "success") throw data("Not a message of this conversation.", { status: 400 });
    const { messageId } = submission.value;
    if (intent === "cancel") {
      const cancelled = await cancelSend(conversation.id, messageId);
      if (!cancelled.ok)
        return data({ result: submission.reply({ formErrors: [cancelled.message] }) }, { status: 409 });
    } else {
      const again = await sendAgainNow({ conversation, messageId, senderId: user.id });
      // Already on its way (a double click, another tab): the thread shows where it is.
      if (!again.ok && again.reason !== "under-way")
        return refused(submission.reply({ formErrors: [again.message] }), again);
    }
    throw redirect(thread);
  }

  if (intent === "assign" || intent === "resolve" || intent === "reopen") {
    // The team's tools: anyone else gets the same 404 as for a page that does not exist.
    await requireRole(request, "agent");
    if (intent === "resolve") await resolve(conversation.id, { actorUserId: user.id });
    if (intent === "reopen") await reopen(conversation.id, { actorUserId: user.id });
    if (intent === "assign") {
      const submission = parseWithZod(formData, { schema: AssignSchema });
      const assigned =
        submission.status === "success" &&
        (await assign(conversation.id, submission.value.assigneeId, { actorUserId: user.id }));
      // The select offers only the team: anything else is a stale page or a made-up id.
      if (!assigned)
        throw data("Only an agent or admin can be assigned. Reload the page and pick again.", { status: 400 });
    }
    throw redirect(thread);
  }

  if (intent === "label") {
    await requireRole(request, "agent");
    const submission = parseWithZod(formData, { schema: LabelConversationSchema });
    if (submission.status !== "success") throw data("Pick a label, and whether to add or remove it.", { status: 400 });
    const { labelId, on } = submission.value;
    // Deleted meanwhile, or a made-up id.
    if (!(await labelConversation(conversation.id, labelId, on)))
      throw data("There is no such label. Reload the page and pick again.", { status: 404 });
    throw redirect(thread);
  }

  if (intent === "update-contact" || intent === "add-note" || intent === "delete-note") {
    await requireRole(request, "agent");
    if (intent === "update-contact") {
      const submission = parseWithZod(formData, { schema: ContactSchema });
      if (submission.status !== "success") return refusedForm("contact", submission.reply());
      await updateContact(conversation.contactNumber, submission.value, user.id);
    }
    if (intent === "add-note") {
      const submission = parseWithZod(formData, { schema: AddNoteSchema });
      if (submission.status !== "success") return refusedForm("note", submission.reply());
      await addNote(conversation.id, user.id, submission.value.body);
    }
    if (intent === "delete-note") {
      const submission = parseWithZod(formData, { schema: DeleteNoteSchema });
      const deleted =
        submission.status === "success" && (await deleteOwnNote(conversation.id, user.id, submission.value.noteId));
      // Someone else's note and a made-up id look the same.
      if (!deleted) throw data("This note does not exist, or it is not yours.", { status: 404 });
    }
    throw redirect(thread);
  }

  if (intent === "erase") {
    const admin = await requireRole(request, CONTACT_DATA_ROLE);
    const submission = parseWithZod(formData, { schema: EraseSchema });
    if (submission.status !== "success") return refusedForm("erase", submission.reply());
    const erased = await eraseContact(conversation.contactNumber, submission.value.confirmNumber, admin);
    if (!erased.ok) return refusedForm("erase", submission.reply({ fieldErrors: { confirmNumber: [erased.message] } }));
    throw redirect("/messages?erased=1");
  }

  throw data("Unknown action.", { status: 400 });
}

/** A side-panel form again, with its errors and the typed values; `form` says which one answered. */
function refusedForm(form: "contact" | "note" | "erase", result: SubmissionResult<string[]>) {
  return data({ form, result }, { status: 400 });
}

/** The form again with the reason (a send keeps its typed text); a rate limit also says when to try again. */
function refused(result: SubmissionResult<string[]>, failure: SendFailure) {
  if (failure.reason === "rate-limited") {
    return data({ result }, { status: 429, headers: { "Retry-After": String(failure.retryAfterSeconds) } });
  }
  return data({ result }, { status: failure.reason === "opted-out" ? 409 : 400 });
}

export default function Thread({ loaderData, actionData }: Route.ComponentProps) {
  const {
    conversation,
    timeline,
    contact,
    managesContactData,
    savedReplies,
    older,
    latest,
    teamView,
    viewerId,
    handling,
    labels,
    idempotencyKey,
  } = loaderData;
  const days = groupByDay(timeline, (item) => item.createdAt, useClock());
  const answerOf = (form: "contact" | "note" | "erase") =>
    actionData && "form" in actionData && actionData.form === form ? actionData.result : undefined;
  const number = formatPhone(conversation.contactNumber);
  return (
    <section
      aria-labelledby="thread-heading"
      className={`mx-auto flex flex-col gap-4 ${contact ? "max-w-5xl" : "max-w-3xl"}`}
    >
      <header className="flex flex-wrap items-center gap-3">
        {teamView ? (
          <Link to="/messages" className="text-sm font-medium text-brand-700 underline lg:hidden">
            ← All conversations
          </Link>
        ) : null}
        <h1 id="thread-heading" className="text-2xl font-bold text-slate-900">
          {contact?.displayName ?? number}
        </h1>
        {contact?.displayName ? (
          <span data-testid="contact-number" className="text-slate-700">
            {number}
          </span>
        ) : null}
        <span className="text-sm text-slate-600">via {conversation.via}</span>
        {handling && !handling.claimed ? (
          <span className="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-900">Unclaimed</span>
        ) : null}
        {conversation.optedOut ? (
          <span className="rounded-full bg-red-100 px-2 py-0.5 text-xs font-medium text-red-900">Opted out</span>
        ) : null}
        {handling?.resolved ? (
          <span className="rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-900">Resolved</span>
        ) : null}
        {labels?.on.map((label) => (
          <LabelChip key={label.id} label={label} />
        ))}
        {managesContactData ? (
          // A download, not a page: the browser fetches it itself.
          <a
            href={`/messages/${conversation.id}/export.csv`}
            download
            className="ml-auto text-sm font-medium text-brand-700 underline"
          >
            Export CSV
          </a>
        ) : null}
      </header>
      {handling ? <TeamControls handling={handling} viewerId={viewerId} /> : null}
      {labels ? <ThreadLabels on={labels.on} all={labels.all} /> : null}

      {/* Beside the thread on wide screens, below it on narrow ones. */}
      <div className="flex flex-col gap-4 xl:grid xl:grid-cols-[minmax(0,1fr)_18rem] xl:items-start">
        <div className="flex min-w-0 flex-col gap-4">
          <div className="flex max-h-[65vh] min-h-64 flex-col-reverse overflow-y-auto rounded-2xl border border-slate-200 bg-white p-3 shadow-sm sm:p-5">
            {/* column-reverse keeps the newest message in view, with or without JavaScript. */}
            <div>
              {older ? (
                <p className="mb-4 text-center">
                  <Link
                    to={`?${new URLSearchParams({ before: older })}`}
                    className="rounded-full border border-slate-300 px-3 py-1 text-sm text-slate-700 hover:bg-slate-50"
                  >
                    Older messages
                  </Link>
                </p>
              ) : null}
              {timeline.length === 0 ? (
                <p className="py-12 text-center text-slate-500">
                  No messages yet. {conversation.optedOut ? "" : "Write the first one below; it goes out as an SMS."}
                </p>
              ) : (
                <ol aria-label="Messages" className="space-y-6">
                  {days.map((day) => (
                    <li key={day.day}>
                      <h2 className="mb-3 text-center text-xs font-semibold uppercase tracking-wide text-slate-500">
                        {day.label}
                      </h2>
                      <ol className="space-y-2">
                        {day.items.map((item) =>
                          item.type === "note" ? (
                            <ThreadNote key={item.id} note={item} />
                          ) : item.type === "system" ? (
                            <SystemLineItem key={item.id} line={item} />
                          ) : (
                            <MessageBubble key={item.id} message={item} />
                          ),
                        )}
                      </ol>
                    </li>
                  ))}
                </ol>
              )}
              {!latest ? (
                <p className="mt-4 text-center">
                  <Link
                    to="."
                    className="rounded-full border border-slate-300 px-3 py-1 text-sm text-slate-700 hover:bg-slate-50"
                  >
                    Newest messages
                  </Link>
                </p>
              ) : null}
            </div>
          </div>

          {latest ? (
            <ReplyForm
              key={conversation.id}
              idempotencyKey={idempotencyKey}
              optedOut={conversation.optedOut}
              recipient={formatPhone(conversation.contactNumber)}
              refused={actionData && !("form" in actionData) ? actionData.result : undefined}
              savedReplies={savedReplies}
              prefill={savedReplies?.prefill}
            />
          ) : null}
        </div>
        {contact ? (
          <ContactPanel
            contact={contact}
            number={number}
            canErase={managesContactData}
            answers={{ contact: answerOf("contact"), note: answerOf("note"), erase: answerOf("erase") }}
          />
        ) : null}
      </div>
    </section>
  );
}

function MessageBubble({
  message,
}: {
  message: Extract<Route.ComponentProps["loaderData"]["timeline"][number], { type: "message" }>;
}) {
  const inbound = message.direction === "inbound";
  return (
    <li className={`flex ${inbound ? "justify-start" : "justify-end"}`} data-message-id={message.id}>
      <div
        className={`max-w-[85%] rounded-2xl px-4 py-2 sm:max-w-[75%] ${
          inbound
            ? "rounded-bl-sm bg-slate-100 text-slate-900"
            : `rounded-br-sm text-white ${message.automatic ? "bg-slate-700" : "bg-brand-600"}`
        } ${message.status === "failed" ? "ring-2 ring-red-400" : ""}`}
      >
        {message.authorLabel ? (
          <p data-testid="author" className="text-xs font-semibold text-brand-100">
            {message.authorLabel}
          </p>
        ) : null}
        <span className="sr-only">{inbound ? "Received" : "Sent"}: </span>
        {/* Text, never HTML: React escapes it, and pre-wrap keeps the SMS's own line breaks. */}
        <p className="whitespace-pre-wrap break-words">{message.body}</p>
        <p
          className={`mt-1 flex flex-wrap items-center justify-end gap-x-2 text-xs ${inbound ? "text-slate-500" : "text-brand-100"}`}
        >
          <Time date={message.createdAt} />
          {inbound ? null : <MessageStatus message={message} />}
        </p>
        {message.status === "failed" || isWaiting(message) ? (
          <Form method="post" preventScrollReset className="mt-2 flex justify-end gap-2">
            <input type="hidden" name="messageId" value={message.id} />
            <button type="submit" name="intent" value="send-now" className={outboxButton}>
              {message.status === "failed" ? "Retry" : "Send now"}
            </button>
            <button type="submit" name="intent" value="cancel" className={outboxButton}>
              Cancel
            </button>
          </Form>
        ) : null}
      </div>
    </li>
  );
}

const outboxButton =
  "rounded-md bg-white px-3 py-1 text-xs font-semibold text-brand-700 hover:bg-brand-50 focus-visible:outline-2 focus-visible:outline-white";

type Handling = NonNullable<Route.ComponentProps["loaderData"]["handling"]>;

/** Assignment and resolving: plain forms, so they work without JavaScript too. */
function TeamControls({ handling, viewerId }: { handling: Handling; viewerId: string }) {
  const { team } = handling;
  const assignee = team.find((member) => member.id === handling.assigneeId);
  const button =
    "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-50";
  return (
    <div className="flex flex-wrap items-center gap-3 rounded-xl border border-slate-200 bg-white px-4 py-3 text-sm shadow-sm">
      <p data-testid="assignee">
        {assignee ? (
          <>
            Assigned to <strong>{assignee.id === viewerId ? `${assignee.name} (you)` : assignee.name}</strong>
          </>
        ) : (
          "Unassigned"
        )}
      </p>
      <Form method="post" preventScrollReset className="flex min-w-0 max-w-full items-center gap-2">
        <label htmlFor="assigneeId" className="sr-only">
          Assignee
        </label>
        <select
          id="assigneeId"
          name="assigneeId"
          defaultValue={handling.assigneeId ?? ""}
          key={handling.assigneeId ?? ""}
          // A select is as wide as its longest name; on a phone it must shrink instead.
          className="min-w-0 max-w-full flex-1 truncate rounded-md border border-slate-300 bg-white px-2 py-1.5"
        >
          <option value="">Nobody</option>
          {team.map((member) => (
            <option key={member.id} value={member.id}>
              {member.name}
            </option>
          ))}
        </select>
        <button type="submit" name="intent" value="assign" className={button}>
          Assign
        </button>
      </Form>
      {handling.assigneeId !== viewerId ? (
        <Form method="post" preventScrollReset>
          <input type="hidden" name="assigneeId" value={viewerId} />
          <button type="submit" name="intent" value="assign" className={button}>
            Assign to me
          </button>
        </Form>
      ) : null}
      <Form method="post" preventScrollReset className="ml-auto">
        <button type="submit" name="intent" value={handling.resolved ? "reopen" : "resolve"} className={button}>
          {handling.resolved ? "Reopen" : "Resolve"}
        </button>
      </Form>
    </div>
  );
}
