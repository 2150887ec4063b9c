import { getFormProps, getInputProps, getTextareaProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, redirect } from "react-router";
import {
  createSavedReply,
  deleteSavedReply,
  listSavedReplies,
  updateSavedReply,
} from "~/.server/conversations/saved-replies";
import { requireRole } from "~/.server/identity/session";
import { ConfirmForm } from "~/components/confirm-form";
import { Field, FormErrors, SubmitButton, TextareaField } from "~/components/forms";
import { SavedReplySchema, TITLE_MAX } from "~/lib/saved-reply-schemas";
import { titleWithUnread } from "~/lib/unread";
import type { Route } from "./+types/settings.replies";

export const meta: Route.MetaFunction = ({ matches }) => titleWithUnread(matches, "Saved replies · Birdline");

export async function loader({ request }: Route.LoaderArgs) {
  await requireRole(request, "agent");
  return { replies: await listSavedReplies() };
}

const notFound = () => data("This saved reply does not exist any more.", { status: 404 });

export async function action({ request }: Route.ActionArgs) {
  const user = await requireRole(request, "agent");
  const formData = await request.formData();
  // Which form answered (the new one, or one reply's), so its errors and typed text show there.
  const replyId = String(formData.get("replyId") ?? "");
  const submission = parseWithZod(formData, { schema: SavedReplySchema });
  if (submission.status !== "success") return data({ replyId, result: submission.reply() }, { status: 400 });
  const command = submission.value;
  switch (command.intent) {
    case "create":
      await createSavedReply({ title: command.title, body: command.body, authorId: user.id });
      break;
    case "update":
      if (!(await updateSavedReply(command))) throw notFound();
      break;
    case "delete":
      if (!(await deleteSavedReply(command.replyId))) throw notFound();
      break;
  }
  throw redirect("/settings/replies");
}

type Reply = Route.ComponentProps["loaderData"]["replies"][number];

export default function SavedReplies({ loaderData, actionData }: Route.ComponentProps) {
  const { replies } = loaderData;
  const answerFor = (replyId: string) => (actionData?.replyId === replyId ? actionData.result : undefined);
  return (
    <section aria-labelledby="replies-heading" className="space-y-6">
      <header>
        <h1 id="replies-heading" className="text-2xl font-bold text-slate-900">
          Saved replies
        </h1>
        <p className="mt-1 max-w-3xl text-slate-600">
          Answers the team sends again and again, one click away in every conversation: click{" "}
          <strong>Saved replies</strong> under the reply box, or type <kbd>/</kbd> in an empty one. They are shared by
          every agent and admin, and anyone on the team may change or delete them.
        </p>
        <PlaceholderHelp />
      </header>

      {replies.length === 0 ? (
        <p className="max-w-3xl rounded-xl border border-dashed border-slate-300 bg-white p-5 text-slate-600">
          No saved replies yet. Add the first one below, for example “Hi {"{name}"}, thanks for your message. We are
          open 9:00–17:00 on weekdays. {"{agent}"}”.
        </p>
      ) : (
        <ul aria-label="Saved replies" className="space-y-3">
          {replies.map((reply) => (
            // A new key after each save: the row closes and shows the saved text.
            <SavedReplyRow
              key={`${reply.id}-${reply.updatedAt.getTime()}`}
              reply={reply}
              lastResult={answerFor(reply.id)}
            />
          ))}
        </ul>
      )}

      {/* A fresh form once a reply was added (its count changed); a refused one keeps what was typed. */}
      <NewReplyForm key={replies.length} lastResult={answerFor("")} />
    </section>
  );
}

function PlaceholderHelp() {
  return (
    <dl className="mt-3 grid max-w-3xl grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-sm text-slate-600">
      <dt>
        <code className="rounded bg-slate-100 px-1 text-slate-900">{"{name}"}</code>
      </dt>
      <dd>the contact’s name; left out, with the space before it, when nobody knows it</dd>
      <dt>
        <code className="rounded bg-slate-100 px-1 text-slate-900">{"{agent}"}</code>
      </dt>
      <dd>the name of whoever sends it (left out if their account has no name)</dd>
    </dl>
  );
}

/** Title and text: the same two fields for a new reply and for changing one. */
function useReplyForm(id: string, lastResult: SubmissionResult<string[]> | undefined, defaults?: Reply) {
  const [form, fields] = useForm({
    id,
    lastResult,
    defaultValue: defaults && { title: defaults.title, body: defaults.body },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: SavedReplySchema }),
    // Errors go away while typing, not on blur: a message vanishing under the pointer moves the button away.
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  const controls = (
    <>
      <FormErrors id={form.errorId} errors={form.errors} />
      <Field
        label="Title"
        hint="What the team picks it by."
        errors={fields.title.errors}
        inputProps={{ ...getInputProps(fields.title, { type: "text" }), maxLength: TITLE_MAX, autoComplete: "off" }}
      />
      <TextareaField
        label="Text"
        errors={fields.body.errors}
        controlProps={{ ...getTextareaProps(fields.body), rows: 4 }}
      />
    </>
  );
  return { formProps: getFormProps(form), controls };
}

function NewReplyForm({ lastResult }: { lastResult?: SubmissionResult<string[]> }) {
  const { formProps, controls } = useReplyForm("new-reply", lastResult);
  return (
    <div className="max-w-3xl rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 className="font-semibold text-slate-900">Add a saved reply</h2>
      <Form method="post" className="mt-3 space-y-3" {...formProps}>
        <input type="hidden" name="intent" value="create" />
        {controls}
        <SubmitButton pendingText="Saving…">Save reply</SubmitButton>
      </Form>
    </div>
  );
}

function SavedReplyRow({ reply, lastResult }: { reply: Reply; lastResult?: SubmissionResult<string[]> }) {
  const { formProps, controls } = useReplyForm(`reply-${reply.id}`, lastResult, reply);
  return (
    <li
      aria-labelledby={`reply-${reply.id}-title`}
      className="max-w-3xl rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
    >
      <h2 id={`reply-${reply.id}-title`} className="break-words font-semibold text-slate-900">
        {reply.title}
      </h2>
      <p className="mt-1 whitespace-pre-wrap break-words text-slate-700">{reply.body}</p>
      {reply.createdBy ? <p className="mt-1 text-xs text-slate-500">Added by {reply.createdBy}</p> : null}
      {/* Open again when a change was refused, so the reason and the typed text show. */}
      <details open={lastResult !== undefined} className="mt-3">
        <summary className="cursor-pointer text-sm font-medium text-brand-700">
          Edit<span className="sr-only"> {reply.title}</span>
        </summary>
        <Form method="post" className="mt-3 space-y-3" {...formProps}>
          <input type="hidden" name="replyId" value={reply.id} />
          {controls}
          <SubmitButton name="intent" value="update" match={{ replyId: reply.id }} pendingText="Saving…">
            Save changes
          </SubmitButton>
        </Form>
      </details>
      {/* The whole team loses the reply: deleting takes a second, deliberate step. */}
      <ConfirmForm
        summary="Delete…"
        subject={reply.title}
        consequence="It disappears from every agent’s saved replies at once, and cannot be brought back."
        field={{ name: "replyId", value: reply.id }}
        intent="delete"
        pendingText="Deleting…"
      >
        Delete “{reply.title}”
      </ConfirmForm>
    </li>
  );
}
