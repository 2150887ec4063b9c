import { getFormProps, getInputProps, getSelectProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, redirect } from "react-router";
import { createLabel, deleteLabel, labelUsage, listLabels, updateLabel } from "~/.server/conversations/labels";
import { requireRole } from "~/.server/identity/session";
import { Field, FormErrors, SelectField, SubmitButton } from "~/components/forms";
import { LabelChip, type LabelData } from "~/components/label-chip";
import { LABEL_COLOURS, LABEL_NAME_MAX, LabelFormSchema } from "~/lib/labels";
import { titleWithUnread } from "~/lib/unread";
import type { Route } from "./+types/team.labels";

export const meta: Route.MetaFunction = ({ matches }) => titleWithUnread(matches, "Labels · Birdline");

export async function loader({ request }: Route.LoaderArgs) {
  await requireRole(request, "admin");
  const [labels, usage] = await Promise.all([listLabels(), labelUsage()]);
  return { labels: labels.map((label) => ({ ...label, conversations: usage.get(label.id) ?? 0 })) };
}

export async function action({ request }: Route.ActionArgs) {
  await requireRole(request, "admin");
  const formData = await request.formData();
  // Which form answered (the new one, or one label's), so its errors and typed values show there.
  const labelId = String(formData.get("labelId") ?? "");
  const submission = parseWithZod(formData, { schema: LabelFormSchema });
  if (submission.status !== "success") return data({ labelId, result: submission.reply() }, { status: 400 });
  const command = submission.value;
  const changed =
    command.intent === "create"
      ? await createLabel(command)
      : command.intent === "update"
        ? await updateLabel(command)
        : await deleteLabel(command.labelId);
  if (!changed.ok) {
    if (changed.field === "labelId") throw data(changed.message, { status: changed.status });
    return data(
      { labelId, result: submission.reply({ fieldErrors: { [changed.field]: [changed.message] } }) },
      { status: changed.status },
    );
  }
  throw redirect("/team/labels");
}

type Label = Route.ComponentProps["loaderData"]["labels"][number];

export default function Labels({ loaderData, actionData }: Route.ComponentProps) {
  const { labels } = loaderData;
  const answerFor = (labelId: string) => (actionData?.labelId === labelId ? actionData.result : undefined);
  return (
    <section aria-labelledby="labels-heading" className="space-y-6">
      <header>
        <h1 id="labels-heading" className="text-2xl font-bold text-slate-900">
          Labels
        </h1>
        <p className="mt-1 max-w-3xl text-slate-600">
          Agents put labels on conversations to sort them: <strong>billing</strong>, <strong>vip</strong>,{" "}
          <strong>bug</strong>. The list filters by a label when you click it, and a search for{" "}
          <code className="rounded bg-slate-100 px-1 text-slate-900">label:billing</code> finds them too, so a name is
          one word. Labels are the team&apos;s: the people texting never see them.
        </p>
      </header>

      {labels.length === 0 ? (
        <p className="max-w-3xl rounded-xl border border-dashed border-slate-300 bg-white p-5 text-slate-600">
          No labels yet. Add the first one below.
        </p>
      ) : (
        <ul aria-label="Labels" className="max-w-3xl space-y-3">
          {labels.map((label) => (
            <LabelRow
              key={`${label.id}-${label.name}-${label.colour}`}
              label={label}
              lastResult={answerFor(label.id)}
            />
          ))}
        </ul>
      )}

      {/* A fresh form once a label was added; a refused one keeps what was typed. */}
      <NewLabelForm key={labels.length} lastResult={answerFor("")} />
    </section>
  );
}

const colourOptions = LABEL_COLOURS.map((colour) => ({
  value: colour,
  label: colour[0]!.toUpperCase() + colour.slice(1),
}));

/** Name and colour: the same two fields for a new label and for changing one. */
function useLabelForm(id: string, lastResult: SubmissionResult<string[]> | undefined, defaults?: LabelData) {
  const [form, fields] = useForm({
    id,
    lastResult,
    defaultValue: { name: defaults?.name ?? "", colour: defaults?.colour ?? "blue" },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: LabelFormSchema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  const controls = (
    <>
      <FormErrors id={form.errorId} errors={form.errors} />
      <div className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_12rem]">
        <Field
          label="Name"
          hint="One word, e.g. billing or follow-up."
          errors={fields.name.errors}
          inputProps={{
            ...getInputProps(fields.name, { type: "text" }),
            maxLength: LABEL_NAME_MAX,
            autoComplete: "off",
          }}
        />
        <SelectField
          label="Colour"
          errors={fields.colour.errors}
          controlProps={getSelectProps(fields.colour)}
          options={colourOptions}
        />
      </div>
    </>
  );
  return { formProps: getFormProps(form), controls };
}

function NewLabelForm({ lastResult }: { lastResult?: SubmissionResult<string[]> }) {
  const { formProps, controls } = useLabelForm("new-label", lastResult);
  return (
    <div className="max-w-3xl rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 className="font-semibold text-slate-900">Add a label</h2>
      <Form method="post" className="mt-3 space-y-3" {...formProps}>
        <input type="hidden" name="intent" value="create" />
        {controls}
        <SubmitButton pendingText="Adding…">Add label</SubmitButton>
      </Form>
    </div>
  );
}

function LabelRow({ label, lastResult }: { label: Label; lastResult?: SubmissionResult<string[]> }) {
  const { formProps, controls } = useLabelForm(`label-${label.id}`, lastResult, label);
  const count = `${label.conversations} conversation${label.conversations === 1 ? "" : "s"}`;
  return (
    <li aria-label={label.name} className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <p className="flex flex-wrap items-center gap-3">
        <LabelChip label={label} />
        <span className="text-sm text-slate-600">{count}</span>
      </p>
      {/* Open again when a change was refused, so the reason and the typed name show. */}
      <details open={lastResult !== undefined} className="mt-3">
        <summary className="cursor-pointer text-sm font-medium text-brand-700">
          Rename or recolour<span className="sr-only"> {label.name}</span>
        </summary>
        <Form method="post" className="mt-3 space-y-3" {...formProps}>
          <input type="hidden" name="labelId" value={label.id} />
          {controls}
          <SubmitButton name="intent" value="update" match={{ labelId: label.id }} pendingText="Saving…">
            Save changes
          </SubmitButton>
        </Form>
      </details>
      <details className="mt-2">
        <summary className="cursor-pointer text-sm font-medium text-red-700">
          Delete…<span className="sr-only"> {label.name}</span>
        </summary>
        <Form method="post" className="mt-2 max-w-md space-y-2 rounded-md border border-red-200 bg-red-50 p-3">
          <p className="text-sm text-red-900">It comes off {count} at once, and cannot be brought back.</p>
          <input type="hidden" name="labelId" value={label.id} />
          <SubmitButton
            name="intent"
            value="delete"
            match={{ labelId: label.id }}
            variant="danger"
            pendingText="Deleting…"
            className="max-w-full break-words"
          >
            Delete “{label.name}”
          </SubmitButton>
        </Form>
      </details>
    </li>
  );
}
