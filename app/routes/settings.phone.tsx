import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, Link, redirect } from "react-router";
import { z } from "zod";
import { requireUser } from "~/.server/identity/session";
import { env } from "~/.server/platform/env";
import { defaultSender } from "~/.server/sms/numbers";
import {
  getPhoneStatus,
  removePhoneNumber,
  sendVerificationCode,
  verifyPhoneCode,
} from "~/.server/identity/phone-verification";
import { Field, FormErrors, SubmitButton } from "~/components/forms";
import { passRetryAfter } from "~/lib/headers";
import { handsetUrl } from "~/lib/handset";
import { formatPhone } from "~/lib/phone";
import { Time } from "~/components/time";
import type { Route } from "./+types/settings.phone";
import { titleWithUnread } from "~/lib/unread";

export const SendCodeSchema = z.object({
  intent: z.literal("send-code"),
  phoneNumber: z
    .string({ error: "Enter your mobile number" })
    .trim()
    .max(32, { error: "That is too long for a phone number" })
    .regex(/^[+\d][\d\s().-]*$/, { error: "Use digits, spaces and an optional leading +" }),
});

export const VerifySchema = z.object({
  intent: z.literal("verify"),
  code: z
    .string({ error: "Enter the code from the SMS" })
    .transform((code) => code.replace(/\s/g, ""))
    .pipe(z.string().regex(/^\d{6}$/, { error: "The code has 6 digits" })),
});

export const headers = passRetryAfter;

export const meta: Route.MetaFunction = ({ matches }) => titleWithUnread(matches, "Your phone · Birdline");

export async function loader({ request }: Route.LoaderArgs) {
  const user = await requireUser(request);
  const status = await getPhoneStatus(user.id);
  return {
    phoneNumber: status.phoneNumber,
    pending: status.pending,
    defaultCountry: env.defaultCountry,
    serviceNumber: defaultSender(),
    // The simulated handset shows everyone's SMS: outside local mode only admins may open it.
    handset: env.smsGateway === "simulator" && env.mode === "local",
    justVerified: new URL(request.url).searchParams.has("verified") && Boolean(status.phoneNumber),
  };
}

export async function action({ request }: Route.ActionArgs) {
  const user = await requireUser(request);
  const formData = await request.formData();
  const intent = formData.get("intent");

  if (intent === "send-code") {
    const submission = parseWithZod(formData, { schema: SendCodeSchema });
    if (submission.status !== "success") return data({ intent, result: submission.reply() }, { status: 400 });
    const sent = await sendVerificationCode({ userId: user.id, phoneNumber: submission.value.phoneNumber });
    if (!sent.ok) {
      const result = submission.reply({ fieldErrors: { phoneNumber: [sent.message] } });
      return sent.retryAfterSeconds
        ? data({ intent, result }, { status: 429, headers: { "Retry-After": String(sent.retryAfterSeconds) } })
        : data({ intent, result }, { status: 400 });
    }
    throw redirect("/settings/phone");
  }

  if (intent === "verify") {
    const submission = parseWithZod(formData, { schema: VerifySchema });
    if (submission.status !== "success") return data({ intent, result: submission.reply() }, { status: 400 });
    const verified = await verifyPhoneCode({ userId: user.id, code: submission.value.code });
    if (!verified.ok)
      return data({ intent, result: submission.reply({ fieldErrors: { code: [verified.message] } }) }, { status: 400 });
    throw redirect("/settings/phone?verified=1");
  }

  if (intent === "remove") {
    await removePhoneNumber(user.id);
    throw redirect("/settings/phone");
  }

  throw data("Unknown action", { status: 400 });
}

export default function PhoneSettings({ loaderData, actionData }: Route.ComponentProps) {
  const { phoneNumber, pending, defaultCountry, serviceNumber, handset, justVerified } = loaderData;
  return (
    <section className="mx-auto max-w-xl space-y-6">
      <header>
        <h1 className="text-2xl font-bold text-slate-900">Your phone</h1>
        <p className="mt-1 text-slate-600">
          Birdline shows every SMS between your phone and our number {formatPhone(serviceNumber)} as one conversation.
          {phoneNumber ? null : " Prove the number is yours with a one-time code."}
        </p>
      </header>

      {phoneNumber ? (
        <VerifiedNumber
          phoneNumber={phoneNumber}
          justVerified={justVerified}
          serviceNumber={serviceNumber}
          handset={handset}
        />
      ) : null}

      {pending ? (
        <VerifyCodeForm
          pending={pending}
          handset={handset}
          lastResult={actionData?.intent === "verify" ? actionData.result : undefined}
        />
      ) : null}

      <SendCodeForm
        key={pending?.phoneNumber ?? "none"}
        hasNumber={Boolean(phoneNumber)}
        pendingNumber={pending?.phoneNumber}
        defaultCountry={defaultCountry}
        lastResult={actionData?.intent === "send-code" ? actionData.result : undefined}
      />

      <SignOutEverywhere />
    </section>
  );
}

// The button is not called "Sign out …": the header's Sign out keeps a name no other button shares, for people who navigate by button names.
function SignOutEverywhere() {
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 className="font-semibold text-slate-900">Sign out everywhere</h2>
      <p className="mt-1 text-sm text-slate-600">
        Lost a phone, or signed in on a computer that is not yours? This signs you out on every device and browser, this
        one included.
      </p>
      <Form method="post" action="/logout" className="mt-3">
        <button type="submit" name="intent" value="sign-out-everywhere" className="btn-secondary">
          End all sessions
        </button>
      </Form>
    </div>
  );
}

function VerifiedNumber({
  phoneNumber,
  justVerified,
  serviceNumber,
  handset,
}: {
  phoneNumber: string;
  justVerified: boolean;
  serviceNumber: string;
  handset: boolean;
}) {
  return (
    <div className="rounded-xl border border-green-200 bg-green-50 p-5" role={justVerified ? "status" : undefined}>
      <p className="text-sm font-medium text-green-900">
        {justVerified ? "Verified! This number is now yours:" : "Your verified number"}
      </p>
      <p className="mt-1 text-xl font-semibold text-green-950">{formatPhone(phoneNumber)}</p>
      <div className="mt-4 rounded-lg bg-white p-4 text-slate-700">
        <h2 className="font-semibold text-slate-900">Next: send us a text</h2>
        <p className="mt-1 text-sm">
          Text <strong className="whitespace-nowrap">{formatPhone(serviceNumber)}</strong> from{" "}
          <span className="whitespace-nowrap">{formatPhone(phoneNumber)}</span>. It shows up in your messages, and our
          answers come back to your phone as SMS.
        </p>
        {handset ? (
          <p className="mt-2 text-sm">
            No real SMS in local mode: send it from the{" "}
            <a className="font-medium text-brand-700 underline" href={handsetUrl(phoneNumber)}>
              simulated phone
            </a>
            .
          </p>
        ) : null}
      </div>
      <div className="mt-4 flex flex-wrap items-center gap-3">
        <Link to="/messages" className="btn-primary">
          Open your messages
        </Link>
        <Form method="post">
          <button type="submit" name="intent" value="remove" className="btn-secondary">
            Remove this number
          </button>
        </Form>
      </div>
    </div>
  );
}

type LastResult = SubmissionResult<string[]> | undefined;

function VerifyCodeForm({
  pending,
  handset,
  lastResult,
}: {
  pending: { phoneNumber: string; expiresAt: Date; attemptsLeft: number; waiting: string | null };
  handset: boolean;
  lastResult: LastResult;
}) {
  const [form, fields] = useForm({
    id: "verify-code",
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: VerifySchema }),
    shouldValidate: "onSubmit",
  });
  return (
    <div className="rounded-xl border border-brand-100 bg-white p-5 shadow-sm">
      <h2 className="font-semibold text-slate-900">Enter your code</h2>
      {pending.waiting ? (
        <p role="status" className="mt-2 rounded-md bg-amber-50 p-2 text-sm text-amber-900">
          Your code has not gone out yet ({pending.waiting.replace(/\.$/, "")}). We keep trying until it expires.
        </p>
      ) : null}
      <p className="mt-1 text-sm text-slate-600">
        We {pending.waiting ? "are sending" : "sent"} a 6-digit code to{" "}
        <strong>{formatPhone(pending.phoneNumber)}</strong>. It expires <Time date={pending.expiresAt} />;{" "}
        {pending.attemptsLeft} {pending.attemptsLeft === 1 ? "attempt" : "attempts"} left.
      </p>
      {handset ? (
        <p className="mt-2 rounded-md bg-amber-50 p-2 text-sm text-amber-900">
          No real SMS is sent in local mode: read the code on the{" "}
          <a className="font-medium underline" href={handsetUrl(pending.phoneNumber)} target="_blank" rel="noreferrer">
            simulated phone
          </a>
          .
        </p>
      ) : null}
      <Form method="post" className="mt-4 flex flex-wrap items-end gap-3" {...getFormProps(form)}>
        <div className="w-40">
          <Field
            label="Code"
            errors={fields.code.errors}
            inputProps={{
              ...getInputProps(fields.code, { type: "text" }),
              inputMode: "numeric",
              autoComplete: "one-time-code",
              maxLength: 7,
              autoFocus: true,
            }}
          />
        </div>
        <SubmitButton name="intent" value="verify" pendingText="Checking…">
          Verify
        </SubmitButton>
      </Form>
    </div>
  );
}

function SendCodeForm({
  hasNumber,
  pendingNumber,
  defaultCountry,
  lastResult,
}: {
  hasNumber: boolean;
  pendingNumber?: string;
  defaultCountry: string;
  lastResult: LastResult;
}) {
  const [form, fields] = useForm({
    id: "send-code",
    lastResult,
    // Written as everywhere else on the page, not as stored (+31612345678).
    defaultValue: { phoneNumber: pendingNumber ? formatPhone(pendingNumber) : "" },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: SendCodeSchema }),
    shouldValidate: "onBlur",
  });
  const title = pendingNumber ? "Send a new code" : hasNumber ? "Change your number" : "Add your number";
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 className="font-semibold text-slate-900">{title}</h2>
      <Form method="post" className="mt-3 space-y-3" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <Field
          label="Mobile number"
          hint={`Any common format, such as +31 6 12345678. Numbers without a + are read as ${defaultCountry} numbers.`}
          errors={fields.phoneNumber.errors}
          inputProps={{ ...getInputProps(fields.phoneNumber, { type: "tel" }), autoComplete: "tel" }}
        />
        {/* While a code is waiting, Verify is the step to take; a new code is the fallback. */}
        <SubmitButton
          name="intent"
          value="send-code"
          pendingText="Sending…"
          variant={pendingNumber ? "secondary" : "primary"}
        >
          Send code
        </SubmitButton>
      </Form>
    </div>
  );
}
