import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, Link, redirect } from "react-router";
import { getCsrfToken, requireAnonymous, signInWithPassword } from "~/.server/identity/session";
import { clientIp } from "~/.server/platform/client-ip";
import { REGISTRATIONS_PER_IP } from "~/.server/identity/sign-in-limits";
import { weakPasswordMessage } from "~/.server/identity/passwords";
import { hitLimit, retryMessage } from "~/.server/platform/rate-limit";
import { createUser } from "~/.server/identity/users";
import { AuthCard, Field, FormErrors, SubmitButton } from "~/components/forms";
import { RegisterSchema } from "~/lib/account-schemas";
import { passRetryAfter } from "~/lib/headers";
import type { Route } from "./+types/register";

export const headers = passRetryAfter;

export const meta: Route.MetaFunction = () => [{ title: "Create an account · Birdline" }];

export async function loader({ request }: Route.LoaderArgs) {
  await requireAnonymous(request);
  const { csrfToken, headers } = await getCsrfToken(request);
  return data({ csrfToken }, { headers });
}

const HIDDEN = ["password", "confirmPassword", "csrfToken"];

export async function action({ request, context }: Route.ActionArgs) {
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: RegisterSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply({ hideFields: HIDDEN }) }, { status: 400 });
  }
  const { email, name, password } = submission.value;
  const fieldError = (field: string, message: string) =>
    data({ result: submission.reply({ fieldErrors: { [field]: [message] }, hideFields: HIDDEN }) }, { status: 400 });

  const weak = await weakPasswordMessage(password, [email, name ?? ""]);
  if (weak) return fieldError("password", weak);

  const limit = await hitLimit(REGISTRATIONS_PER_IP, clientIp(context));
  if (limit.limited) {
    return data(
      {
        result: submission.reply({
          formErrors: [retryMessage(limit, "new accounts from your network")],
          hideFields: HIDDEN,
        }),
      },
      { status: 429, headers: { "Retry-After": String(limit.retryAfterSeconds) } },
    );
  }

  const created = await createUser({ email, name, password });
  if (!created.ok) return fieldError("email", "An account with this email already exists. Sign in instead?");

  const signedIn = await signInWithPassword(request, { email, password, csrfToken: String(formData.get("csrfToken")) });
  // The account exists either way; a stale form only costs one more sign-in.
  if (!signedIn.ok) throw redirect(`/login?${new URLSearchParams({ redirectTo: "/settings/phone" })}`);
  throw redirect("/settings/phone", { headers: signedIn.headers });
}

export default function Register({ loaderData, actionData }: Route.ComponentProps) {
  const [form, fields] = useForm({
    id: "register",
    lastResult: actionData?.result,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: RegisterSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });

  return (
    <AuthCard
      title="Create your account"
      subtitle={
        <>
          Already have one?{" "}
          <Link to="/login" className="font-medium text-brand-700 underline">
            Sign in
          </Link>
        </>
      }
    >
      <Form method="post" className="space-y-4" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <input type="hidden" name="csrfToken" value={loaderData.csrfToken} />
        <Field
          label="Name (optional)"
          errors={fields.name.errors}
          inputProps={{ ...getInputProps(fields.name, { type: "text" }), autoComplete: "name" }}
        />
        <Field
          label="Email"
          errors={fields.email.errors}
          inputProps={{ ...getInputProps(fields.email, { type: "email" }), autoComplete: "email" }}
        />
        <Field
          label="Password"
          hint="8 to 128 characters. A few unrelated words make a strong, memorable password."
          errors={fields.password.errors}
          inputProps={{ ...getInputProps(fields.password, { type: "password" }), autoComplete: "new-password" }}
        />
        <Field
          label="Confirm password"
          errors={fields.confirmPassword.errors}
          inputProps={{ ...getInputProps(fields.confirmPassword, { type: "password" }), autoComplete: "new-password" }}
        />
        <SubmitButton pendingText="Creating your account…" className="w-full">
          Create account
        </SubmitButton>
      </Form>
    </AuthCard>
  );
}
