import { getFormProps, getInputProps, getSelectProps, getTextareaProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, Link, redirect } from "react-router";
import { startConversation } from "~/.server/conversations/start";
import { requireRole } from "~/.server/identity/session";
import { env } from "~/.server/platform/env";
import { findNumber, startableNumbers } from "~/.server/sms/numbers";
import { Field, FormErrors, SelectField, SubmitButton, TextareaField } from "~/components/forms";
import { passRetryAfter } from "~/lib/headers";
import { numberName, whyNotStartable } from "~/lib/our-numbers";
import { parseUserPhone } from "~/lib/phone";
import { NewConversationSchema } from "~/lib/reply-schema";
import type { Route } from "./+types/messages.new";
import { titleWithUnread } from "~/lib/unread";

export const headers = passRetryAfter;

export const meta: Route.MetaFunction = ({ matches }) => titleWithUnread(matches, "New conversation · Birdline");

export async function loader({ request }: Route.LoaderArgs) {
  await requireRole(request, "agent");
  const numbers = await startableNumbers();
  return {
    numbers: numbers.map((number) => ({ id: number.id, name: numberName(number), isDefault: number.isDefault })),
    defaultCountry: env.defaultCountry,
    // One key per rendered form: a resubmitted or double-clicked form sends once.
    idempotencyKey: crypto.randomUUID(),
  };
}

export async function action({ request }: Route.ActionArgs) {
  const user = await requireRole(request, "agent");
  const submission = parseWithZod(await request.formData(), { schema: NewConversationSchema });
  if (submission.status !== "success") return data({ result: submission.reply() }, { status: 400 });
  const { to, numberId, body, idempotencyKey } = submission.value;

  const contactNumber = parseUserPhone(to, env.defaultCountry);
  if (!contactNumber) {
    const result = submission.reply({ fieldErrors: { to: [`“${to}” is not a phone number we can text.`] } });
    return data({ result }, { status: 400 });
  }
  const ourNumber = await findNumber(numberId);
  const refusal = ourNumber ? whyNotStartable(ourNumber) : "Pick one of our numbers.";
  if (!ourNumber || refusal)
    return data({ result: submission.reply({ fieldErrors: { numberId: [refusal!] } }) }, { status: 400 });

  const started = await startConversation({ contactNumber, ourNumber, authorId: user.id, body, idempotencyKey });
  if (started.ok) throw redirect(`/messages/${started.conversationId}`);
  const result = submission.reply({ formErrors: [started.message] });
  if (started.reason === "rate-limited")
    return data({ result }, { status: 429, headers: { "Retry-After": String(started.retryAfterSeconds) } });
  return data({ result }, { status: started.reason === "opted-out" ? 409 : 400 });
}

export default function NewConversation({ loaderData, actionData }: Route.ComponentProps) {
  const { numbers, defaultCountry, idempotencyKey } = loaderData;
  const [form, fields] = useForm({
    id: "new-conversation",
    lastResult: actionData?.result,
    defaultValue: { numberId: numbers.find((number) => number.isDefault)?.id ?? numbers[0]?.id },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: NewConversationSchema }),
    shouldValidate: "onBlur",
  });
  return (
    <section aria-labelledby="new-heading" className="mx-auto max-w-xl space-y-4">
      <Link to="/messages" className="text-sm font-medium text-brand-700 underline">
        ← All conversations
      </Link>
      <h1 id="new-heading" className="text-2xl font-bold text-slate-900">
        New conversation
      </h1>
      <Form
        method="post"
        className="space-y-4 rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
        {...getFormProps(form)}
      >
        <FormErrors id={form.errorId} errors={form.errors} />
        <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
        <Field
          label="To"
          hint={`Any common format. Numbers without a + are read as ${defaultCountry} numbers.`}
          errors={fields.to.errors}
          inputProps={{
            ...getInputProps(fields.to, { type: "tel" }),
            autoComplete: "off",
            placeholder: "+31 6 12345678",
          }}
        />
        <SelectField
          label="From"
          errors={fields.numberId.errors}
          controlProps={getSelectProps(fields.numberId)}
          options={numbers.map((number) => ({ value: number.id, label: number.name }))}
        />
        <TextareaField
          label="Message"
          errors={fields.body.errors}
          controlProps={{ ...getTextareaProps(fields.body), rows: 4 }}
        />
        <SubmitButton pendingText="Sending…">Send</SubmitButton>
      </Form>
    </section>
  );
}
