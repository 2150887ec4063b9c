import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, redirect } from "react-router";
import { clearNewTokenCookie, newTokenCookie, readNewToken } from "~/.server/api/new-token-flash";
import { createToken, listTokens, revokeToken } from "~/.server/api/tokens";
import { requireUser } from "~/.server/identity/session";
import { ConfirmForm } from "~/components/confirm-form";
import { ErrorList, Field, FormErrors, SubmitButton } from "~/components/forms";
import { Time } from "~/components/time";
import {
  CreateTokenSchema,
  endOfDay,
  MAX_EXPIRY_DAYS,
  SCOPE_LABELS,
  TOKEN_NAME_MAX,
  TOKEN_SCOPES,
  TokenFormSchema,
} from "~/lib/api-token-schemas";
import { titleWithUnread } from "~/lib/unread";
import type { Route } from "./+types/settings.tokens";

export const meta: Route.MetaFunction = ({ matches }) => titleWithUnread(matches, "API tokens · Birdline");

const DAY = 24 * 60 * 60 * 1000;

export async function loader({ request }: Route.LoaderArgs) {
  const user = await requireUser(request);
  const tokens = await listTokens(user.id);
  const flash = readNewToken(request, user.id);
  // Only while the token still exists: revoked in another tab, it is no use to show.
  const created = flash && tokens.some((token) => token.id === flash.tokenId) ? flash : null;
  return data(
    { tokens, created, now: new Date() },
    flash ? { headers: { "Set-Cookie": clearNewTokenCookie() } } : undefined,
  );
}

export async function action({ request }: Route.ActionArgs) {
  const user = await requireUser(request);
  const submission = parseWithZod(await request.formData(), { schema: TokenFormSchema });
  if (submission.status !== "success") return data({ result: submission.reply() }, { status: 400 });
  const command = submission.value;
  if (command.intent === "revoke") {
    if (!(await revokeToken(user.id, command.tokenId)))
      throw data("This token does not exist any more.", { status: 404 });
    throw redirect("/settings/tokens");
  }
  const expiresAt = command.expiresOn
    ? endOfDay(command.expiresOn)
    : command.expiresInDays
      ? new Date(Date.now() + command.expiresInDays * DAY)
      : null;
  const { token, summary } = await createToken({
    userId: user.id,
    name: command.name,
    scope: command.scope,
    expiresAt,
  });
  throw redirect("/settings/tokens", {
    headers: { "Set-Cookie": newTokenCookie({ userId: user.id, tokenId: summary.id, token }) },
  });
}

type Token = Route.ComponentProps["loaderData"]["tokens"][number];

export default function Tokens({ loaderData, actionData }: Route.ComponentProps) {
  const { tokens, created, now } = loaderData;
  const createdName = tokens.find((token) => token.id === created?.tokenId)?.name;
  return (
    <section aria-labelledby="tokens-heading" className="space-y-6">
      <header className="max-w-3xl">
        <h1 id="tokens-heading" className="text-2xl font-bold text-slate-900">
          API tokens
        </h1>
        <p className="mt-1 text-slate-600">
          A token lets a script or another tool (a CRM, an order system) use Birdline’s REST API as you: it sees what
          you see and nothing more. Send it as{" "}
          <code className="rounded bg-slate-100 px-1">Authorization: Bearer …</code>. The endpoints are described in the{" "}
          <a href="/api/v1/openapi.json" className="font-medium text-brand-700 underline">
            OpenAPI document
          </a>
          .
        </p>
      </header>

      {created ? <NewToken name={createdName ?? "your token"} token={created.token} /> : null}

      {tokens.length === 0 ? (
        <p className="max-w-3xl rounded-xl border border-dashed border-slate-300 bg-white p-5 text-slate-600">
          No tokens yet. Create one below for each tool that needs one, so you can revoke one without the others.
        </p>
      ) : (
        <ul aria-label="Your tokens" className="max-w-3xl space-y-3">
          {tokens.map((token) => (
            <TokenRow key={token.id} token={token} expired={!!token.expiresAt && token.expiresAt <= now} />
          ))}
        </ul>
      )}

      {/* A fresh form once a token was made (the count changed); a refused one keeps what was typed. */}
      <NewTokenForm key={tokens.length} lastResult={actionData?.result} />
    </section>
  );
}

function NewToken({ name, token }: { name: string; token: string }) {
  return (
    <div role="status" className="max-w-3xl rounded-xl border border-green-300 bg-green-50 p-5">
      <h2 className="font-semibold text-green-900">Copy your new token now</h2>
      <p id="new-token-note" className="mt-1 text-sm text-green-900">
        This is the only time it is shown: Birdline keeps only a fingerprint of it. If you lose it, revoke it and create
        another.
      </p>
      <label htmlFor="new-token" className="mt-3 block text-sm font-medium text-slate-800">
        Token “{name}”
      </label>
      <input
        id="new-token"
        data-testid="new-token"
        aria-describedby="new-token-note"
        readOnly
        value={token}
        onFocus={(event) => event.currentTarget.select()}
        className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm text-slate-900"
      />
    </div>
  );
}

function TokenRow({ token, expired }: { token: Token; expired: boolean }) {
  return (
    <li
      aria-labelledby={`token-${token.id}-name`}
      className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
    >
      <h2 id={`token-${token.id}-name`} className="break-words font-semibold text-slate-900">
        {token.name}
      </h2>
      <p className="text-sm text-slate-600">{token.scope === "read" ? "Read only" : "Read and send"}</p>
      <dl className="mt-2 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5 text-sm text-slate-600">
        <dt>Created</dt>
        <dd>
          <Time date={token.createdAt} />
        </dd>
        <dt>Last used</dt>
        <dd>{token.lastUsedAt ? <Time date={token.lastUsedAt} /> : "Never"}</dd>
        <dt>Expires</dt>
        <dd className={expired ? "font-medium text-red-700" : undefined}>
          {token.expiresAt ? (
            <>
              {expired ? "Expired " : null}
              <Time date={token.expiresAt} />
            </>
          ) : (
            "Never"
          )}
        </dd>
      </dl>
      {/* Whatever uses the token stops working: revoking takes a second, deliberate step. */}
      <ConfirmForm
        summary="Revoke…"
        subject={token.name}
        consequence="Anything using it is refused from the next request on."
        field={{ name: "tokenId", value: token.id }}
        intent="revoke"
        pendingText="Revoking…"
      >
        Revoke “{token.name}”
      </ConfirmForm>
    </li>
  );
}

function NewTokenForm({ lastResult }: { lastResult?: SubmissionResult<string[]> }) {
  const [form, fields] = useForm({
    id: "new-token-form",
    lastResult,
    defaultValue: { scope: "read" },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: CreateTokenSchema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  return (
    <div className="max-w-3xl rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 className="font-semibold text-slate-900">Create a token</h2>
      <Form method="post" className="mt-3 space-y-3" {...getFormProps(form)}>
        <input type="hidden" name="intent" value="create" />
        <FormErrors id={form.errorId} errors={form.errors} />
        <Field
          label="Name"
          hint="What uses it, so you know which one to revoke."
          errors={fields.name.errors}
          inputProps={{
            ...getInputProps(fields.name, { type: "text" }),
            maxLength: TOKEN_NAME_MAX,
            autoComplete: "off",
          }}
        />
        <fieldset>
          <legend className="text-sm font-medium text-slate-800">May</legend>
          <div className="mt-1 space-y-2">
            {TOKEN_SCOPES.map((scope) => (
              <label key={scope} className="flex items-start gap-2 text-sm text-slate-800">
                <input {...getInputProps(fields.scope, { type: "radio", value: scope })} className="mt-1" />
                <span>
                  <span className="font-medium">{SCOPE_LABELS[scope].label}</span>
                  <span className="block text-slate-600">{SCOPE_LABELS[scope].hint}</span>
                </span>
              </label>
            ))}
          </div>
          <ErrorList id={fields.scope.errorId} errors={fields.scope.errors} />
        </fieldset>
        <fieldset>
          <legend className="text-sm font-medium text-slate-800">Expires (optional)</legend>
          <p className="text-sm text-slate-500">Leave both empty for a token that does not expire.</p>
          <div className="mt-2 grid gap-3 sm:grid-cols-2">
            <Field
              label="After this many days"
              errors={fields.expiresInDays.errors}
              inputProps={{ ...getInputProps(fields.expiresInDays, { type: "number" }), min: 1, max: MAX_EXPIRY_DAYS }}
            />
            <Field
              label="Or at the end of this day (UTC)"
              errors={fields.expiresOn.errors}
              inputProps={getInputProps(fields.expiresOn, { type: "date" })}
            />
          </div>
        </fieldset>
        <SubmitButton pendingText="Creating…">Create token</SubmitButton>
      </Form>
    </div>
  );
}
