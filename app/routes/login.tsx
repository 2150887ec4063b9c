import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, Link, redirect, useSearchParams } from "react-router";
import { getCsrfToken, requireAnonymous, signInWithPassword } from "~/.server/identity/session";
import { clientIp } from "~/.server/platform/client-ip";
import { countSignInAttempt, signedIn } from "~/.server/identity/sign-in-limits";
import { retryMessage } from "~/.server/platform/rate-limit";
import { AuthCard, Field, FormErrors, SubmitButton } from "~/components/forms";
import { LoginSchema } from "~/lib/account-schemas";
import { passRetryAfter } from "~/lib/headers";
import { safeRedirect } from "~/lib/redirect";
import type { Route } from "./+types/login";

export const headers = passRetryAfter;

export const meta: Route.MetaFunction = () => [{ title: "Sign in · Birdline" }];

export async function loader({ request }: Route.LoaderArgs) {
  await requireAnonymous(request);
  const { csrfToken, headers } = await getCsrfToken(request);
  return data({ csrfToken }, { headers });
}

const HIDDEN = ["password", "csrfToken"];

const SIGN_IN_REFUSED = {
  credentials: "Invalid email or password",
  // Shown only after the right password: it tells nothing to someone guessing emails.
  deactivated: "This account has been deactivated. Ask an administrator of this Birdline to reactivate it.",
  csrf: "This form had expired. Please sign in again.",
};

export async function action({ request, context }: Route.ActionArgs) {
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: LoginSchema });
  const refuse = (message: string, init: ResponseInit = { status: 400 }) =>
    data({ result: submission.reply({ formErrors: [message], hideFields: HIDDEN }) }, init);
  if (submission.status !== "success") {
    return data({ result: submission.reply({ hideFields: HIDDEN }) }, { status: 400 });
  }
  const { email, password, redirectTo } = submission.value;
  const ip = clientIp(context);

  const exceeded = await countSignInAttempt(email, ip);
  if (exceeded) {
    return refuse(retryMessage(exceeded, "failed sign-in attempts"), {
      status: 429,
      headers: { "Retry-After": String(exceeded.retryAfterSeconds) },
    });
  }

  const result = await signInWithPassword(request, { email, password, csrfToken: String(formData.get("csrfToken")) });
  if (!result.ok) return refuse(SIGN_IN_REFUSED[result.error]);
  await signedIn(email, ip);
  throw redirect(safeRedirect(redirectTo), { headers: result.headers });
}

export default function Login({ loaderData, actionData }: Route.ComponentProps) {
  const [searchParams] = useSearchParams();
  const [form, fields] = useForm({
    id: "login",
    lastResult: actionData?.result,
    defaultValue: { redirectTo: searchParams.get("redirectTo") ?? "" },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: LoginSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });

  return (
    <AuthCard
      title="Sign in"
      subtitle={
        <>
          New here?{" "}
          <Link to="/register" className="font-medium text-brand-700 underline">
            Create an account
          </Link>
        </>
      }
    >
      <Form method="post" className="space-y-4" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <input type="hidden" name="csrfToken" value={loaderData.csrfToken} />
        <input {...getInputProps(fields.redirectTo, { type: "hidden" })} />
        <Field
          label="Email"
          errors={fields.email.errors}
          inputProps={{ ...getInputProps(fields.email, { type: "email" }), autoComplete: "email", autoFocus: true }}
        />
        <Field
          label="Password"
          errors={fields.password.errors}
          inputProps={{ ...getInputProps(fields.password, { type: "password" }), autoComplete: "current-password" }}
        />
        <SubmitButton pendingText="Signing in…" className="w-full">
          Sign in
        </SubmitButton>
      </Form>
    </AuthCard>
  );
}
