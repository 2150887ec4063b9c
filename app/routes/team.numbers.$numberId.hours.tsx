import {
  getFieldsetProps,
  getFormProps,
  getInputProps,
  getSelectProps,
  getTextareaProps,
  useForm,
  type FieldMetadata,
} from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { useState } from "react";
import { data, Form, Link, redirect } from "react-router";
import { defaultHelpText } from "~/.server/automations/help";
import { automationsOf, saveAutomations, SUGGESTED_AWAY_MESSAGE } from "~/.server/automations/number-settings";
import { requireRole } from "~/.server/identity/session";
import { env } from "~/.server/platform/env";
import { getTimeZone } from "~/.server/platform/time-zone";
import { findNumber } from "~/.server/sms/numbers";
import { ErrorList, FormErrors, SelectField, SubmitButton } from "~/components/forms";
import { SmsLength } from "~/components/sms-length";
import { OFFICE_HOURS, WEEKDAYS, type DayHours } from "~/lib/business-hours";
import { HoursSchema } from "~/lib/hours-schema";
import { numberName } from "~/lib/our-numbers";
import { formatPhone } from "~/lib/phone";
import { titleWithUnread } from "~/lib/unread";
import type { Route } from "./+types/team.numbers.$numberId.hours";

export const meta: Route.MetaFunction = ({ matches }) => titleWithUnread(matches, "Hours and auto-replies · Birdline");

async function numberFrom(request: Request, numberId: string) {
  await requireRole(request, "admin");
  const number = await findNumber(numberId);
  if (!number) throw data("There is no such number.", { status: 404 });
  return number;
}

export async function loader({ request, params }: Route.LoaderArgs) {
  const number = await numberFrom(request, params.numberId);
  const saved = await automationsOf(number.id);
  const viewer = getTimeZone(request);
  // A first visit starts from the admin's own zone (the server's when the browser has not said).
  const timeZone =
    saved?.timeZone ?? (viewer.stateZone ? Intl.DateTimeFormat().resolvedOptions().timeZone : viewer.timeZone);
  // From the server, so the list the page is rendered with is the list it hydrates with.
  const zones = Intl.supportedValuesOf("timeZone");
  return {
    number: { id: number.id, name: numberName(number), number: formatPhone(number.number) },
    settings: {
      enabled: saved?.hoursOn ?? false,
      timeZone,
      days: saved?.weeklyHours ?? OFFICE_HOURS,
      awayMessage: saved?.awayMessage ?? SUGGESTED_AWAY_MESSAGE,
      helpText: saved?.helpText ?? "",
    },
    zones: zones.includes(timeZone) ? zones : [timeZone, ...zones],
    defaultHelp: defaultHelpText(number.label),
    saved: new URL(request.url).searchParams.has("saved"),
    awayEveryHours: env.awayReplyEveryMs / 3_600_000,
  };
}

export async function action({ request, params }: Route.ActionArgs) {
  const number = await numberFrom(request, params.numberId);
  const submission = parseWithZod(await request.formData(), { schema: HoursSchema });
  if (submission.status !== "success") return data({ result: submission.reply() }, { status: 400 });
  await saveAutomations(number.id, submission.value);
  throw redirect(`/team/numbers/${number.id}/hours?saved`);
}

export default function NumberHours({ loaderData, actionData }: Route.ComponentProps) {
  const { number, settings, zones, defaultHelp, saved, awayEveryHours } = loaderData;
  const [form, fields] = useForm({
    id: "hours",
    lastResult: actionData?.result,
    defaultValue: settings,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: HoursSchema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  const [awayText, setAwayText] = useState(String(fields.awayMessage.initialValue ?? ""));
  const [helpText, setHelpText] = useState(String(fields.helpText.initialValue ?? ""));
  const days = fields.days.getFieldList();
  return (
    <section aria-labelledby="hours-heading" className="max-w-3xl space-y-6">
      <header>
        <p className="text-sm">
          <Link to="/team/numbers" className="font-medium text-brand-700 underline">
            Our numbers
          </Link>
        </p>
        <h1 id="hours-heading" className="mt-1 text-2xl font-bold text-slate-900">
          Hours and auto-replies: {number.name}
        </h1>
        <p className="mt-1 text-slate-600">
          When {number.number} is closed, a contact who texts it gets the away message, at most once every{" "}
          {awayEveryHours === 1 ? "hour" : `${awayEveryHours} hours`} per conversation, never after STOP and never in
          answer to STOP, START or HELP. Anyone who texts HELP or INFO gets the help text. Both are sent like any reply
          and show in the thread as “Auto-reply”.
        </p>
      </header>

      {/* Until the form is changed and refused: then its errors are the news. */}
      {saved && !actionData && Object.keys(form.allErrors).length === 0 ? (
        <p role="status" className="rounded-md border border-green-200 bg-green-50 p-3 text-sm text-green-900">
          Saved.
        </p>
      ) : null}

      <Form method="post" className="space-y-6" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />

        <div className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
          <div className="flex items-start gap-3">
            <input
              {...getInputProps(fields.enabled, { type: "checkbox" })}
              className="mt-1 size-4 rounded border-slate-300"
            />
            <label htmlFor={fields.enabled.id} className="text-sm">
              <span className="font-medium text-slate-900">Send the away message outside these hours</span>
              <span className="block text-slate-600">Off: no away message, whatever the time.</span>
            </label>
          </div>

          <SelectField
            label="Time zone"
            errors={fields.timeZone.errors}
            controlProps={getSelectProps(fields.timeZone)}
            options={zones.map((zone) => ({ value: zone, label: zone.replaceAll("_", " ") }))}
          />

          <fieldset {...getFieldsetProps(fields.days)} aria-describedby="hours-hint">
            <legend className="text-sm font-medium text-slate-800">Opening hours</legend>
            <p id="hours-hint" className="mt-1 text-sm text-slate-500">
              A closing time before the opening time runs past midnight, e.g. 22:00 to 06:00. The same time for both:
              open all day.
            </p>
            <ErrorList id={fields.days.errorId} errors={fields.days.errors} />
            <ul className="mt-3 divide-y divide-slate-100">
              {days.map((day, index) => (
                <DayRow key={day.key} name={WEEKDAYS[index]!} day={day} />
              ))}
            </ul>
          </fieldset>
        </div>

        <div className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
          <MessageBox
            label="Away message"
            field={fields.awayMessage}
            text={awayText}
            onText={setAwayText}
            hint="Sent when someone texts while you are closed."
          />
          <MessageBox
            label="Help text"
            field={fields.helpText}
            text={helpText}
            onText={setHelpText}
            hint={`Sent to HELP and INFO, which carriers require an answer to. Empty: “${defaultHelp}”`}
            placeholder={defaultHelp}
          />
        </div>

        <SubmitButton pendingText="Saving…">Save</SubmitButton>
      </Form>
    </section>
  );
}

function DayRow({ name, day }: { name: string; day: FieldMetadata<Partial<DayHours>> }) {
  const { open, from, to } = day.getFieldset();
  const timeClass =
    "rounded-md border border-slate-300 bg-white px-2 py-1 text-slate-900 focus:border-brand-500 focus:outline-2 focus:outline-brand-500 aria-invalid:border-red-500";
  const timeProps = (field: typeof from, description: string) => ({
    ...getInputProps(field, { type: "time" }),
    "aria-label": `${name} ${description}`,
    className: timeClass,
  });
  return (
    <li className="flex flex-wrap items-center gap-x-4 gap-y-2 py-2">
      <label className="flex w-36 items-center gap-2 text-sm font-medium text-slate-900">
        <input {...getInputProps(open, { type: "checkbox" })} className="size-4 rounded border-slate-300" />
        {name}
      </label>
      <span className="flex flex-wrap items-center gap-2 text-sm text-slate-700">
        <input {...timeProps(from, "opens at")} />
        <span aria-hidden="true">to</span>
        <input {...timeProps(to, "closes at")} />
      </span>
      <ErrorList id={from.errorId} errors={from.errors} />
      <ErrorList id={to.errorId} errors={to.errors} />
    </li>
  );
}

function MessageBox({
  label,
  field,
  text,
  onText,
  hint,
  placeholder,
}: {
  label: string;
  field: FieldMetadata<string | undefined>;
  text: string;
  onText: (text: string) => void;
  hint: string;
  placeholder?: string;
}) {
  const counter = `${field.id}-length`;
  const hintId = `${field.id}-hint`;
  return (
    <div>
      <label htmlFor={field.id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <p id={hintId} className="mt-1 text-sm text-slate-500">
        {hint}
      </p>
      <textarea
        {...getTextareaProps(field)}
        aria-describedby={[hintId, counter, field.errors ? field.errorId : null].filter(Boolean).join(" ")}
        rows={3}
        placeholder={placeholder}
        onInput={(event) => onText(event.currentTarget.value)}
        className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm focus:border-brand-500 focus:outline-2 focus:outline-brand-500 aria-invalid:border-red-500"
      />
      <SmsLength id={counter} text={text} />
      <ErrorList id={field.errorId} errors={field.errors} />
    </div>
  );
}
