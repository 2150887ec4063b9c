import { getFormProps, getInputProps, getSelectProps, getTextareaProps, useForm } from "@conform-to/react";
import { parseWithZod, type SubmissionResult } from "@conform-to/zod/v4";
import { useEffect, useState } from "react";
import { data, Form, redirect, useRevalidator } from "react-router";
import { z } from "zod";
import { requireRole } from "~/.server/identity/session";
import { env } from "~/.server/platform/env";
import { textableNumbers } from "~/.server/sms/numbers";
import { handsetMessages, inboundWebhookUrl, sendFromHandset } from "~/.server/sms/simulator";
import { sendFromBirdHandset } from "~/.server/sms/simulated-bird";
import { SIMULATOR_SCENARIOS } from "~/lib/simulator-scenarios";
import { ErrorList, FormErrors, SelectField, SubmitButton, TextareaField } from "~/components/forms";
import { Time } from "~/components/time";
import { numberName } from "~/lib/our-numbers";
import { handsetUrl } from "~/lib/handset";
import { formatPhone, parseUserPhone } from "~/lib/phone";
import type { Route } from "./+types/dev.phone";

export const meta: Route.MetaFunction = () => [{ title: "Simulated phone · Birdline" }];

const HandsetSmsSchema = z.object({
  number: z
    .string({ error: "Open a handset first." })
    .refine((value) => parseUserPhone(value) !== null, "Open a handset first."),
  /** Which of our numbers to text; the default one when left out (a script, an older form). */
  to: z.string().optional(),
  body: z
    .string({ error: "Type a message to send." })
    .trim()
    .min(1, "Type a message to send.")
    .max(1600, "MessageBird accepts at most 1600 characters."),
});

/**
 * The page only exists while the simulator sends the SMS; with MessageBird
 * configured it is a plain 404. On a deployed demo (SMS_GATEWAY=simulator) the
 * handset shows everyone's verification codes, so only admins may open it.
 */
async function requireSimulator(request: Request) {
  if (env.smsGateway !== "simulator") throw data(null, { status: 404 });
  if (env.mode === "deployed") await requireRole(request, "admin");
}

/** The numbers a handset can text, default first, and the one to preselect (`?to=`, else the default). */
async function serviceNumbers(request: Request) {
  const numbers = (await textableNumbers()).map((n) => ({
    number: n.number,
    name: numberName(n),
    // Labelled numbers also show the digits, which is what a handset dials.
    title: n.label ? `${n.label} (${formatPhone(n.number)})` : formatPhone(n.number),
  }));
  const asked = new URL(request.url).searchParams.get("to");
  const chosen = numbers.find((n) => n.number === asked) ?? numbers[0];
  return { numbers, chosen: chosen?.number ?? null };
}

export async function loader({ request }: Route.LoaderArgs) {
  await requireSimulator(request);
  const typed = new URL(request.url).searchParams.get("number")?.trim() ?? "";
  const number = typed ? parseUserPhone(typed, env.defaultCountry) : null;
  // One address per handset, whatever format was typed.
  if (number && number !== typed) throw redirect(handsetUrl(number));
  // The secret lets anyone post SMS into the inbox: only show it on the machine it was generated for.
  // Bird-format events are signed per request (SIMULATOR_API=bird): no curl one-liner to offer there.
  const local = env.mode === "local" && env.smsApi === "messagebird";
  const service = await serviceNumbers(request);
  return {
    typed,
    number,
    numberError: typed && !number ? `“${typed}” is not a phone number we can read. Try +31 6 12345678.` : null,
    messages: number ? await handsetMessages(number) : [],
    serviceNumbers: service.numbers,
    chosenNumber: service.chosen,
    webhookSecret: local ? (env.messagebird.webhookSecret ?? null) : null,
    webhookUrl: local ? inboundWebhookUrl().toString() : null,
    scenarios: SIMULATOR_SCENARIOS,
  };
}

export async function action({ request }: Route.ActionArgs) {
  await requireSimulator(request);
  const submission = parseWithZod(await request.formData(), { schema: HandsetSmsSchema });
  if (submission.status !== "success") return data({ result: submission.reply() }, { status: 400 });
  const { number, body } = submission.value;
  const { numbers } = await serviceNumbers(request);
  const to = submission.value.to ?? numbers[0]?.number;
  if (!to || !numbers.some((service) => service.number === to)) {
    const result = submission.reply({ fieldErrors: { to: ["Pick one of our numbers that can receive SMS."] } });
    return data({ result }, { status: 400 });
  }
  // The handset speaks the dialect the simulator was asked for (SIMULATOR_API).
  const sent = await (env.smsApi === "bird" ? sendFromBirdHandset : sendFromHandset)({ from: number, to, body });
  if (!sent.ok) return data({ result: submission.reply({ formErrors: [sent.message] }) }, { status: 502 });
  throw redirect(handsetUrl(number, to));
}

export default function DevPhone({ loaderData, actionData }: Route.ComponentProps) {
  const { number, messages, serviceNumbers, chosenNumber } = loaderData;
  // The select on the send form also picks the number in the curl example.
  const [picked, setPicked] = useState<string | null>(null);
  const to = picked ?? chosenNumber;
  const nameOf = (ourNumber: string) =>
    serviceNumbers.find((service) => service.number === ourNumber)?.name ?? formatPhone(ourNumber);
  return (
    <div className="space-y-6">
      <header>
        <p className="text-sm font-semibold uppercase tracking-wide text-brand-600">Development</p>
        <h1 className="mt-1 text-3xl font-bold tracking-tight text-brand-900">Simulated phone</h1>
        <p className="mt-2 max-w-2xl text-slate-600">
          No MessageBird account is configured, so every SMS Birdline sends lands here instead of on a real phone. Open
          any number to see what it received, and text any of our numbers from it.
        </p>
      </header>

      <div className="grid grid-cols-[minmax(0,1fr)] items-start gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <section
          aria-labelledby="handset-heading"
          className="rounded-2xl border border-slate-200 bg-white p-4 shadow-sm sm:p-5"
        >
          <h2 id="handset-heading" className="sr-only">
            Handset
          </h2>
          <NumberPicker typed={loaderData.typed} error={loaderData.numberError} />
          {number ? (
            <>
              <Thread number={number} to={to} messages={messages} nameOf={nameOf} />
              <SendForm
                key={number}
                number={number}
                serviceNumbers={serviceNumbers}
                to={to}
                onPick={setPicked}
                lastResult={actionData?.result}
              />
            </>
          ) : (
            <p className="mt-6 text-slate-600">
              Pick a number to open its handset, e.g. the one you are verifying in your settings.
            </p>
          )}
        </section>
        <HowItWorks {...loaderData} to={to} />
      </div>
    </div>
  );
}

function NumberPicker({ typed, error }: { typed: string; error: string | null }) {
  return (
    <Form method="get" className="flex flex-wrap items-end gap-2">
      <div className="min-w-48 flex-1">
        <label htmlFor="number" className="block text-sm font-medium text-slate-800">
          Phone number
        </label>
        <input
          id="number"
          name="number"
          type="tel"
          inputMode="tel"
          autoComplete="off"
          defaultValue={typed}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "number-hint number-error" : "number-hint"}
          className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm focus:border-brand-500 focus:outline-2 focus:outline-brand-500 aria-invalid:border-red-500"
        />
      </div>
      <button
        type="submit"
        className="rounded-md border border-slate-300 bg-white px-4 py-2 font-semibold text-slate-800 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600"
      >
        Open handset
      </button>
      <p id="number-hint" className="w-full text-sm text-slate-600">
        Any common format, such as +31 6 12345678.
      </p>
      <ErrorList id="number-error" errors={error ? [error] : undefined} />
    </Form>
  );
}

type Message = Route.ComponentProps["loaderData"]["messages"][number];

function Thread({
  number,
  to,
  messages,
  nameOf,
}: {
  number: string;
  to: string | null;
  messages: Message[];
  nameOf: (ourNumber: string) => string;
}) {
  const revalidator = useRevalidator();
  // New SMS show up by themselves with JavaScript; without it the Refresh link does the same.
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible" && revalidator.state === "idle") void revalidator.revalidate();
    }, 3000);
    return () => clearInterval(timer);
  }, [revalidator]);

  return (
    <div className="mt-6">
      <div className="flex items-center justify-between gap-2 border-b border-slate-100 pb-3">
        <h3 className="font-semibold text-slate-900">{formatPhone(number)}</h3>
        <a
          href={handsetUrl(number, to ?? undefined)}
          className="text-sm font-medium text-brand-700 underline hover:text-brand-900"
        >
          Refresh
        </a>
      </div>
      {messages.length === 0 ? (
        <p className="py-8 text-center text-slate-500">
          No SMS yet. Anything Birdline sends to this number appears here.
        </p>
      ) : (
        <ol aria-label={`SMS on ${formatPhone(number)}`} aria-live="polite" className="mt-4 space-y-3 text-sm">
          {messages.map((message) => (
            <li
              key={message.id}
              className={
                message.direction === "received"
                  ? "max-w-[85%] rounded-2xl rounded-bl-sm bg-slate-100 px-4 py-2 text-slate-900"
                  : "ml-auto max-w-[85%] rounded-2xl rounded-br-sm bg-brand-600 px-4 py-2 text-white"
              }
            >
              <span className="sr-only">{message.direction === "received" ? "Received: " : "Sent: "}</span>
              <p
                className={`text-xs font-medium ${message.direction === "received" ? "text-slate-600" : "text-brand-100"}`}
              >
                {message.direction === "received" ? "From" : "To"} {nameOf(message.ourNumber)}
              </p>
              <p className="whitespace-pre-wrap break-words">{message.body}</p>
              <Time
                date={message.at}
                className={`mt-1 block text-xs ${message.direction === "received" ? "text-slate-600" : "text-right text-brand-100"}`}
              />
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}

function SendForm({
  number,
  serviceNumbers,
  to,
  onPick,
  lastResult,
}: {
  number: string;
  serviceNumbers: { number: string; title: string }[];
  to: string | null;
  onPick: (to: string) => void;
  lastResult?: SubmissionResult;
}) {
  const [form, fields] = useForm({
    id: "handset-sms",
    lastResult,
    defaultValue: { number, to },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: HandsetSmsSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <Form method="post" className="mt-6 space-y-3 border-t border-slate-100 pt-4" {...getFormProps(form)}>
      <FormErrors id={form.errorId} errors={form.errors} />
      <input {...getInputProps(fields.number, { type: "hidden" })} />
      <SelectField
        label="To"
        errors={fields.to.errors}
        controlProps={getSelectProps(fields.to)}
        options={serviceNumbers.map((service) => ({ value: service.number, label: service.title }))}
        onPick={onPick}
      />
      <TextareaField
        label="Text message"
        errors={fields.body.errors}
        controlProps={{ ...getTextareaProps(fields.body), rows: 3 }}
      />
      <SubmitButton pendingText="Sending…" className="w-full sm:w-auto">
        Send SMS
      </SubmitButton>
    </Form>
  );
}

function HowItWorks({
  to,
  serviceNumbers,
  webhookSecret,
  webhookUrl,
  scenarios,
}: Route.ComponentProps["loaderData"] & { to: string | null }) {
  const curl =
    webhookUrl && to
      ? `curl -X POST '${webhookUrl}' \\\n  -H 'content-type: application/json' \\\n  -d '{"originator":"+31612345678","recipient":"${to}","payload":"Hello"}'`
      : null;
  return (
    <aside
      aria-labelledby="how-heading"
      className="space-y-4 rounded-2xl border border-slate-200 bg-white p-4 text-sm shadow-sm sm:p-5"
    >
      <h2 id="how-heading" className="font-semibold text-slate-900">
        How the simulator works
      </h2>
      <dl className="space-y-3">
        <div>
          <dt className="font-medium text-slate-800">Our numbers</dt>
          {serviceNumbers.map((service) => (
            <dd key={service.number} className="text-slate-600">
              {service.title}
            </dd>
          ))}
        </div>
        {webhookSecret ? (
          <div>
            <dt className="font-medium text-slate-800">Webhook secret</dt>
            <dd>
              <code className="break-all rounded bg-slate-100 px-1.5 py-0.5 text-slate-800">{webhookSecret}</code>
              <p className="mt-1 text-slate-600">
                Generated for this machine. MessageBird (and this page) add it as <code>?secret=</code> to the webhook
                URL.
              </p>
            </dd>
          </div>
        ) : null}
      </dl>
      <p className="text-slate-600">
        Sending from a handset posts to <code>/webhooks/messagebird</code> over HTTP, exactly like MessageBird would;
        SMS the app sends get a delivery report about a second later.
      </p>
      {curl ? (
        <div>
          <p className="font-medium text-slate-800">The same from a terminal</p>
          {/* Wrapped rather than scrolled sideways: nothing is cut off on a phone. */}
          <pre className="mt-1 whitespace-pre-wrap break-all rounded-md bg-slate-900 p-3 text-xs text-slate-100">
            <code>{curl}</code>
          </pre>
        </div>
      ) : null}
      <div>
        <p className="font-medium text-slate-800">Trying failures</p>
        <ul className="mt-1 list-disc space-y-1 pl-5 text-slate-600">
          {scenarios.map((scenario) => (
            <li key={scenario.suffix}>
              A number ending in <code>{scenario.suffix}</code>: {scenario.description}.
            </li>
          ))}
        </ul>
      </div>
    </aside>
  );
}
