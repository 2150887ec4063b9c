import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, Link, redirect } from "react-router";
import { getCsrfToken, requireAnonymous, signInWithPassword } from "~/.server/identity/session";
import { clientIp } from "~/.server/platform/client-ip";
import { REGISTRATIONS_PER_IP, rememberSignInAddress } from "~/.server/identity/sign-in-limits";
import { weakPasswordMessage } from "~/.server/identity/password-strength";
import { hitLimit, retryMessage } from "~/.server/platform/rate-limit";
import { createUser } from "~/.server/identity/users";
import { inviteRole } from "~/.server/identity/invites";
import { AuthCard, Field, FormErrors, SubmitButton } from "~/components/forms";
import { RegisterSchema } from "~/lib/account-schemas";
import { passRetryAfter } from "~/lib/headers";
import type { Route } from "./+types/register";

export const headers = passRetryAfter;

export const meta: Route.MetaFunction = () => [{ title: "Create an account · Birdline" }];

export async function loader({ request }: Route.LoaderArgs) {
  await requireAnonymous(request);
  const { csrfToken, headers } = await getCsrfToken(request);
  return data({ csrfToken, invite: await inviteFromUrl(request) }, { headers });
}

/**
 * The invite a link carries, if any. An unusable one is reported, not carried
 * on: the form then creates a plain member account, as if there were no link.
 */
async function inviteFromUrl(request: Request) {
  const token = new URL(request.url).searchParams.get("invite");
  if (token === null) return null;
  const role = token.length <= 100 ? await inviteRole(token) : null;
  return role ? { usable: true as const, token, role } : { usable: false as const };
}

const HIDDEN = ["password", "confirmPassword", "csrfToken"];

export async function action({ request, context }: Route.ActionArgs) {
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: RegisterSchema });
  if (submission.status !== "success") {
    return data({ result: submission.reply({ hideFields: HIDDEN }) }, { status: 400 });
  }
  const { email, name, password, invite } = submission.value;
  const fieldError = (field: string, message: string) =>
    data({ result: submission.reply({ fieldErrors: { [field]: [message] }, hideFields: HIDDEN }) }, { status: 400 });

  // Counted before the strength check, refused passwords too: the check is the
  // costly part, so an address gets only so many of them.
  const ip = clientIp(context);
  const limit = await hitLimit(REGISTRATIONS_PER_IP, ip);
  if (limit.limited) {
    return data(
      {
        result: submission.reply({
          formErrors: [retryMessage(limit, "sign-up attempts from your network")],
          hideFields: HIDDEN,
        }),
      },
      { status: 429, headers: { "Retry-After": String(limit.retryAfterSeconds) } },
    );
  }

  const weak = await weakPasswordMessage(password, [email, name ?? ""]);
  if (weak) return fieldError("password", weak);

  const created = await createUser({ email, name, password, invite });
  if (!created.ok && created.reason === "invite-unusable") {
    return data(
      {
        result: submission.reply({
          formErrors: [
            "This invite link was used or expired while you filled in the form, so no account was created. Ask for a new link, or create a member account below.",
          ],
          hideFields: HIDDEN,
        }),
      },
      { status: 409 },
    );
  }
  if (!created.ok) return fieldError("email", "An account with this email already exists. Sign in instead?");

  // Invited staff came to answer conversations; everyone else first proves which phone is theirs.
  const landing = invite ? "/messages" : "/settings/phone";
  const signedIn = await signInWithPassword(request, { email, password, csrfToken: String(formData.get("csrfToken")) });
  // The account exists either way; a stale form only costs one more sign-in.
  if (!signedIn.ok) throw redirect(`/login?${new URLSearchParams({ redirectTo: landing })}`);
  await rememberSignInAddress(email, ip);
  throw redirect(landing, { headers: signedIn.headers });
}

export default function Register({ loaderData, actionData }: Route.ComponentProps) {
  const { invite } = loaderData;
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
      {invite ? <InviteNotice invite={invite} /> : null}
      <Form method="post" className="space-y-4" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <input type="hidden" name="csrfToken" value={loaderData.csrfToken} />
        {invite?.usable ? <input type="hidden" name="invite" value={invite.token} /> : null}
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

function InviteNotice({ invite }: { invite: NonNullable<Route.ComponentProps["loaderData"]["invite"]> }) {
  if (invite.usable) {
    return (
      <p className="mb-4 rounded-md border border-brand-100 bg-brand-50 p-3 text-sm text-brand-900" role="status">
        You are invited to join the team as {invite.role === "admin" ? "an admin" : "an agent"}. Create your account to
        accept.
      </p>
    );
  }
  return (
    <div className="mb-4 rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-900" role="alert">
      <p className="font-medium">This invite link cannot be used.</p>
      <p className="mt-1">
        It has expired, was already used, or was withdrawn. Ask whoever sent it for a new link. You can still create an
        account below, without the invite.
      </p>
    </div>
  );
}
