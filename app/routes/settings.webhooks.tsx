import { getFormProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, Link, redirect } from "react-router";
import { requireRole } from "~/.server/identity/session";
import { createEndpoint, listEndpoints } from "~/.server/outgoing-webhooks/endpoints";
import { FormErrors, SubmitButton } from "~/components/forms";
import { Time } from "~/components/time";
import { EndpointState, WebhookEndpointFields } from "~/components/webhook-endpoint";
import { WebhookEndpointSchema } from "~/lib/outgoing-webhook-schemas";
import { titleWithUnread } from "~/lib/unread";
import type { Route } from "./+types/settings.webhooks";

export const meta: Route.MetaFunction = ({ matches }) => titleWithUnread(matches, "Outgoing webhooks · Birdline");

export async function loader({ request }: Route.LoaderArgs) {
  await requireRole(request, "admin");
  return { endpoints: await listEndpoints() };
}

export async function action({ request }: Route.ActionArgs) {
  await requireRole(request, "admin");
  const submission = parseWithZod(await request.formData(), { schema: WebhookEndpointSchema });
  if (submission.status !== "success" || submission.value.intent !== "create")
    return data({ result: submission.reply() }, { status: 400 });
  const saved = await createEndpoint(submission.value);
  if (!saved.ok) return data({ result: submission.reply({ fieldErrors: { url: [saved.urlError] } }) }, { status: 400 });
  // The new endpoint's page shows its signing secret, which the receiver needs next.
  throw redirect(`/settings/webhooks/${saved.id}?created`);
}

type Endpoint = Route.ComponentProps["loaderData"]["endpoints"][number];

const DELIVERY_STATUS = { pending: "retrying", succeeded: "delivered", failed: "failed" } as const;

export default function OutgoingWebhooks({ loaderData, actionData }: Route.ComponentProps) {
  const { endpoints } = loaderData;
  const turnedOff = endpoints.filter((endpoint) => !endpoint.active && endpoint.disabledReason);
  return (
    <section aria-labelledby="outgoing-webhooks-heading" className="space-y-6">
      <header>
        <h1 id="outgoing-webhooks-heading" className="text-2xl font-bold text-slate-900">
          Outgoing webhooks
        </h1>
        <p className="mt-1 max-w-3xl text-slate-600">
          Birdline posts what happens in the inbox (an SMS arrived, a reply went out, a conversation was assigned) to
          your other tools as it happens. Every delivery is signed the Standard Webhooks way, retried for a day if the
          receiver does not answer with a 2xx, and listed on the endpoint’s page with each attempt and its answer.
        </p>
      </header>

      {turnedOff.length > 0 ? (
        <div role="alert" className="max-w-3xl rounded-xl border border-amber-300 bg-amber-50 p-4 text-amber-950">
          <h2 className="font-semibold">
            {turnedOff.length === 1 ? "Birdline turned an endpoint off" : "Birdline turned endpoints off"}
          </h2>
          <ul className="mt-2 space-y-1 text-sm">
            {turnedOff.map((endpoint) => (
              <li key={endpoint.id}>
                <Link to={`/settings/webhooks/${endpoint.id}`} className="break-all font-medium underline">
                  {endpoint.url}
                </Link>
                : {endpoint.disabledReason} Fix the receiver, then turn the endpoint on again.
              </li>
            ))}
          </ul>
        </div>
      ) : null}

      {endpoints.length === 0 ? (
        <p className="max-w-3xl rounded-xl border border-dashed border-slate-300 bg-white p-5 text-slate-600">
          No endpoints yet. Add one below to receive events.
        </p>
      ) : (
        <ul aria-label="Endpoints" className="max-w-3xl space-y-3">
          {endpoints.map((endpoint) => (
            <EndpointRow key={endpoint.id} endpoint={endpoint} />
          ))}
        </ul>
      )}

      {/* A fresh form once an endpoint was added (the count changed); a refused one keeps what was typed. */}
      <NewEndpointForm key={endpoints.length} lastResult={actionData?.result} />
    </section>
  );
}

function EndpointRow({ endpoint }: { endpoint: Endpoint }) {
  return (
    <li className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <div className="flex flex-wrap items-center gap-2">
        <Link
          to={`/settings/webhooks/${endpoint.id}`}
          className="min-w-0 break-all font-semibold text-brand-700 underline"
        >
          {endpoint.url}
        </Link>
        <EndpointState endpoint={endpoint} />
      </div>
      <p className="mt-1 text-sm text-slate-600">{endpoint.events.join(", ")}</p>
      <p className="mt-1 text-sm text-slate-600">
        {endpoint.lastDelivery ? (
          <>
            Latest delivery: {DELIVERY_STATUS[endpoint.lastDelivery.status]},{" "}
            <Time date={endpoint.lastDelivery.createdAt} />
          </>
        ) : (
          <>
            Nothing delivered yet · added <Time date={endpoint.createdAt} />
          </>
        )}
      </p>
    </li>
  );
}

function NewEndpointForm({ lastResult }: { lastResult?: SubmissionResult<string[]> }) {
  const [form, fields] = useForm({
    id: "new-endpoint",
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: WebhookEndpointSchema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  return (
    <div className="max-w-3xl rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 className="font-semibold text-slate-900">Add an endpoint</h2>
      <Form method="post" className="mt-3 space-y-4" {...getFormProps(form)}>
        <input type="hidden" name="intent" value="create" />
        <FormErrors id={form.errorId} errors={form.errors} />
        <WebhookEndpointFields url={fields.url} events={fields.events} />
        <SubmitButton pendingText="Adding…">Add endpoint</SubmitButton>
      </Form>
    </div>
  );
}
