import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, Link, redirect } from "react-router";
import { requireRole } from "~/.server/identity/session";
import { addNumber, archiveNumber, numbersWithCounts, renameNumber } from "~/.server/sms/numbers";
import { assignmentRules, setAssignmentRule } from "~/.server/automations/round-robin";
import { ErrorList, Field, FormErrors, SubmitButton } from "~/components/forms";
import { canReceive, MAX_CAPACITY, NumberFormSchema } from "~/lib/our-numbers";
import { formatPhone } from "~/lib/phone";
import type { Route } from "./+types/team.numbers";
import { titleWithUnread } from "~/lib/unread";

export const meta: Route.MetaFunction = ({ matches }) => titleWithUnread(matches, "Our numbers · Birdline");

export async function loader({ request }: Route.LoaderArgs) {
  await requireRole(request, "admin");
  const [numbers, rules] = await Promise.all([numbersWithCounts(), assignmentRules()]);
  return {
    numbers: numbers.map((number) => {
      const rule = rules.get(number.id);
      return { ...number, assignment: rule ? { mode: "round-robin" as const, capacity: rule.capacity } : null };
    }),
  };
}

export async function action({ request }: Route.ActionArgs) {
  await requireRole(request, "admin");
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: NumberFormSchema });
  // Which row's form answered, so its errors and typed label show there.
  const answer = { intent: String(formData.get("intent")), numberId: String(formData.get("numberId") ?? "") };
  if (submission.status !== "success") return data({ ...answer, result: submission.reply() }, { status: 400 });
  const input = submission.value;
  const changed =
    input.intent === "add"
      ? await addNumber(input)
      : input.intent === "rename"
        ? await renameNumber(input)
        : input.intent === "auto-assign"
          ? await setAssignmentRule(input)
          : await archiveNumber(input);
  if (!changed.ok) {
    const result = submission.reply({ fieldErrors: { [changed.field]: [changed.message] } });
    return data({ ...answer, result }, { status: changed.status });
  }
  throw redirect("/team/numbers");
}

export default function Numbers({ loaderData, actionData }: Route.ComponentProps) {
  const { numbers } = loaderData;
  const rowAnswer = (numberId: string) => (actionData?.numberId === numberId ? actionData : undefined);
  return (
    <section aria-labelledby="numbers-heading" className="space-y-6">
      <header>
        <h1 id="numbers-heading" className="text-2xl font-bold text-slate-900">
          Our numbers
        </h1>
        <p className="mt-1 max-w-3xl text-slate-600">
          Every MessageBird number (or alphanumeric sender) the team answers from. A conversation belongs to one contact
          and one of these numbers, and every reply goes out from it. A number someone texted before it was added here
          shows up as unlisted: give it a label. Archived numbers keep receiving and keep their history, but start no
          new conversations. Round robin gives a number&apos;s conversations to available agents in turn, fewest open
          conversations first. With a Bird platform key, add the workspace&apos;s numbers on{" "}
          <Link to="/team/provider" className="font-medium text-brand-700 underline">
            SMS provider
          </Link>
          .
        </p>
      </header>

      <ul
        aria-label="Numbers"
        className="divide-y divide-slate-100 rounded-xl border border-slate-200 bg-white shadow-sm"
      >
        {numbers.map((number) => {
          const answer = rowAnswer(number.id);
          const errors = answer?.result.error;
          return (
            <li key={number.id} className="flex flex-wrap items-start gap-4 px-4 py-3" aria-label={number.number}>
              <div className="min-w-48 flex-1">
                <p className="font-medium text-slate-900">{formatPhone(number.number)}</p>
                <p className="flex flex-wrap gap-2 text-sm text-slate-600">
                  <span>
                    {number.conversations} conversation{number.conversations === 1 ? "" : "s"}
                  </span>
                  {number.isDefault ? <Badge tone="brand">Default</Badge> : null}
                  {number.label === null ? <Badge tone="amber">Unlisted</Badge> : null}
                  {number.archivedAt ? <Badge tone="slate">Archived</Badge> : null}
                  {canReceive(number.number) ? null : <Badge tone="slate">Send only</Badge>}
                </p>
                {canReceive(number.number) ? (
                  <p className="mt-1 text-sm">
                    <Link to={`/team/numbers/${number.id}/hours`} className="font-medium text-brand-700 underline">
                      Hours and auto-replies<span className="sr-only"> for {number.label ?? number.number}</span>
                    </Link>
                  </p>
                ) : null}
              </div>
              <Form method="post" className="flex flex-wrap items-start gap-2">
                <input type="hidden" name="numberId" value={number.id} />
                <div>
                  <label htmlFor={`label-${number.id}`} className="sr-only">
                    Label for {number.number}
                  </label>
                  <input
                    id={`label-${number.id}`}
                    name="label"
                    // A refused rename keeps what was typed.
                    defaultValue={
                      answer?.intent === "rename"
                        ? String(answer.result.initialValue?.label ?? "")
                        : (number.label ?? "")
                    }
                    key={`${number.label}-${answer ? "answered" : ""}`}
                    placeholder="Label, e.g. Support NL"
                    aria-invalid={errors?.label ? true : undefined}
                    aria-describedby={errors?.label ? `label-${number.id}-error` : undefined}
                    className="rounded-md border border-slate-300 px-3 py-1.5 text-sm aria-invalid:border-red-500"
                  />
                  <ErrorList id={`label-${number.id}-error`} errors={errors?.label ?? undefined} />
                  <ErrorList errors={errors?.numberId ?? undefined} />
                </div>
                <button
                  type="submit"
                  name="intent"
                  value="rename"
                  className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium hover:bg-slate-50"
                >
                  {number.label === null ? "Add label" : "Rename"}
                </button>
                {number.isDefault || number.archivedAt ? null : (
                  <button
                    type="submit"
                    name="intent"
                    value="archive"
                    className="rounded-md border border-red-200 bg-white px-3 py-1.5 text-sm font-medium text-red-800 hover:bg-red-50"
                  >
                    Archive
                  </button>
                )}
              </Form>
              {canReceive(number.number) ? (
                <AssignmentForm
                  numberId={number.id}
                  name={number.label ?? number.number}
                  assignment={number.assignment}
                  answer={answer?.intent === "auto-assign" ? answer.result : undefined}
                />
              ) : null}
            </li>
          );
        })}
      </ul>

      <AddNumberForm lastResult={actionData?.intent === "add" ? actionData.result : undefined} />
    </section>
  );
}

function AddNumberForm({ lastResult }: { lastResult?: SubmissionResult<string[]> }) {
  const [form, fields] = useForm({
    id: "add-number",
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: NumberFormSchema }),
    shouldValidate: "onBlur",
  });
  return (
    <div className="max-w-xl rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 className="font-semibold text-slate-900">Add a number</h2>
      <p className="mt-1 text-sm text-slate-600">
        Buy or verify it in MessageBird first, and point its inbound flow at Birdline (see the README).
      </p>
      <Form method="post" className="mt-3 space-y-3" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <input type="hidden" name="intent" value="add" />
        <Field
          label="Number"
          hint="International format (+31 97 0102 0304), or a sender name of up to 11 letters and digits."
          errors={fields.number.errors}
          inputProps={{ ...getInputProps(fields.number, { type: "text" }), autoComplete: "off" }}
        />
        <Field
          label="Label"
          errors={fields.label.errors}
          inputProps={{ ...getInputProps(fields.label, { type: "text" }), placeholder: "Support NL" }}
        />
        <SubmitButton pendingText="Adding…">Add number</SubmitButton>
      </Form>
    </div>
  );
}

const TONES = {
  brand: "bg-brand-100 text-brand-900",
  amber: "bg-amber-100 text-amber-900",
  slate: "bg-slate-100 text-slate-700",
} as const;

function Badge({ tone, children }: { tone: keyof typeof TONES; children: string }) {
  return <span className={`rounded-full px-2 py-0.5 text-xs font-medium ${TONES[tone]}`}>{children}</span>;
}

/**
 * Round robin for one number: off, or on with an optional capacity (at most
 * that many open conversations per agent, counted across all numbers).
 */
function AssignmentForm({
  numberId,
  name,
  assignment,
  answer,
}: {
  numberId: string;
  name: string;
  assignment: { mode: "round-robin"; capacity: number | null } | null;
  answer?: SubmissionResult<string[]>;
}) {
  const errors = answer?.error;
  const typed = answer?.initialValue;
  const id = (field: string) => `${field}-${numberId}`;
  return (
    <Form method="post" className="flex basis-full flex-wrap items-end gap-3 text-sm">
      <input type="hidden" name="numberId" value={numberId} />
      <div>
        <label htmlFor={id("mode")} className="block font-medium text-slate-800">
          New conversations<span className="sr-only"> on {name}</span>
        </label>
        <select
          id={id("mode")}
          name="mode"
          defaultValue={String(typed?.mode ?? assignment?.mode ?? "off")}
          key={`${assignment?.mode}-${answer ? "answered" : ""}`}
          className="mt-1 rounded-md border border-slate-300 bg-white px-2 py-1.5"
        >
          <option value="off">Not assigned automatically</option>
          <option value="round-robin">Round robin to available agents</option>
        </select>
      </div>
      <div>
        <label htmlFor={id("capacity")} className="block font-medium text-slate-800">
          Open conversations per agent, at most<span className="sr-only"> on {name}</span>
        </label>
        <input
          id={id("capacity")}
          name="capacity"
          type="number"
          min={1}
          max={MAX_CAPACITY}
          inputMode="numeric"
          placeholder="No limit"
          defaultValue={String(typed?.capacity ?? assignment?.capacity ?? "")}
          key={`${assignment?.capacity}-${answer ? "answered" : ""}`}
          aria-invalid={errors?.capacity ? true : undefined}
          aria-describedby={errors?.capacity ? id("capacity-error") : undefined}
          className="mt-1 w-32 rounded-md border border-slate-300 px-2 py-1.5 aria-invalid:border-red-500"
        />
        <ErrorList id={id("capacity-error")} errors={errors?.capacity ?? undefined} />
      </div>
      <SubmitButton
        name="intent"
        value="auto-assign"
        match={{ numberId }}
        variant="secondary"
        pendingText="Saving…"
        className="py-1.5"
      >
        Save assignment
      </SubmitButton>
    </Form>
  );
}
