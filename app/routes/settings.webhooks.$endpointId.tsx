import { getFormProps, getInputProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, Link, redirect } from "react-router";
import { requireRole } from "~/.server/identity/session";
import { recentDeliveries, resendDelivery } from "~/.server/outgoing-webhooks/deliveries";
import { deleteEndpoint, findEndpoint, rotateSecret, updateEndpoint } from "~/.server/outgoing-webhooks/endpoints";
import { FormErrors, SubmitButton } from "~/components/forms";
import { Time } from "~/components/time";
import { EndpointState, WebhookEndpointFields } from "~/components/webhook-endpoint";
import { WebhookEndpointSchema } from "~/lib/outgoing-webhook-schemas";
import { titleWithUnread } from "~/lib/unread";
import type { Route } from "./+types/settings.webhooks.$endpointId";

export const meta: Route.MetaFunction = ({ matches }) => titleWithUnread(matches, "Webhook endpoint · Birdline");

const notFound = () => new Response("Not found", { status: 404 });

export async function loader({ request, params }: Route.LoaderArgs) {
  await requireRole(request, "admin");
  const endpoint = await findEndpoint(params.endpointId);
  if (!endpoint) throw notFound();
  return {
    endpoint,
    deliveries: await recentDeliveries(endpoint.id),
    created: new URL(request.url).searchParams.has("created"),
  };
}

export async function action({ request, params }: Route.ActionArgs) {
  await requireRole(request, "admin");
  const id = params.endpointId;
  const here = `/settings/webhooks/${id}`;
  const submission = parseWithZod(await request.formData(), { schema: WebhookEndpointSchema });
  if (submission.status !== "success") return data({ result: submission.reply(), notice: null }, { status: 400 });
  const command = submission.value;
  switch (command.intent) {
    case "create":
      throw notFound();
    case "update": {
      const saved = await updateEndpoint(id, command);
      if (!saved) throw notFound();
      if (!saved.ok)
        return data(
          { result: submission.reply({ fieldErrors: { url: [saved.urlError] } }), notice: null },
          { status: 400 },
        );
      throw redirect(here);
    }
    case "rotate":
      if (!(await rotateSecret(id))) throw notFound();
      throw redirect(`${here}?created`);
    case "delete":
      if (!(await deleteEndpoint(id))) throw notFound();
      throw redirect("/settings/webhooks");
    case "resend": {
      const resent = await resendDelivery(id, command.deliveryId);
      if (!resent) throw notFound();
      if (!resent.ok) return data({ result: undefined, notice: resent.message }, { status: 409 });
      throw redirect(here);
    }
  }
}

type LoaderData = Route.ComponentProps["loaderData"];

export default function WebhookEndpoint({ loaderData, actionData }: Route.ComponentProps) {
  const { endpoint, deliveries, created } = loaderData;
  return (
    <section aria-labelledby="endpoint-heading" className="max-w-4xl space-y-6">
      <header>
        <p className="text-sm">
          <Link to="/settings/webhooks" className="text-brand-700 underline">
            Outgoing webhooks
          </Link>
        </p>
        <h1 id="endpoint-heading" className="mt-1 break-all text-2xl font-bold text-slate-900">
          {endpoint.url}
        </h1>
        <p className="mt-1 flex flex-wrap items-center gap-2 text-sm text-slate-600">
          <EndpointState endpoint={endpoint} />
          <span>{endpoint.events.join(", ")}</span>
        </p>
        {endpoint.disabledReason && !endpoint.active ? (
          <div role="alert" className="mt-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
            <p>{endpoint.disabledReason}</p>
            <p className="mt-1">
              {endpoint.disabledAt ? (
                <>
                  Turned off <Time date={endpoint.disabledAt} />.{" "}
                </>
              ) : null}
              Fix the receiver, then tick “On” below and save.
            </p>
          </div>
        ) : null}
        {actionData?.notice ? (
          <p role="alert" className="mt-3 rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800">
            {actionData.notice}
          </p>
        ) : null}
      </header>

      <SigningSecret secret={endpoint.secret} open={created} />
      <EditForm
        key={endpoint.url + endpoint.events.join() + String(endpoint.active)}
        endpoint={endpoint}
        lastResult={actionData?.result}
      />
      <Deliveries deliveries={deliveries} />
      <DeleteForm url={endpoint.url} />
    </section>
  );
}

/** Shown when asked for (and at once after it was made): receivers need it, but not on every screen share. */
function SigningSecret({ secret, open }: { secret: string | null; open: boolean }) {
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 className="font-semibold text-slate-900">Signing secret</h2>
      <p className="mt-1 text-sm text-slate-600">
        The receiver checks each delivery’s <code>webhook-signature</code> with it (any Standard Webhooks library does).
        After a new secret is made, the old one keeps signing beside it for a day.
      </p>
      {secret ? (
        <details open={open} className="mt-3">
          <summary className="cursor-pointer text-sm font-medium text-brand-700">Show signing secret</summary>
          <code
            data-testid="signing-secret"
            className="mt-2 block break-all rounded-md bg-slate-100 p-3 font-mono text-sm text-slate-900"
          >
            {secret}
          </code>
        </details>
      ) : (
        <p role="alert" className="mt-3 text-sm text-red-800">
          The secret cannot be read any more (AUTH_SECRET changed): make a new one.
        </p>
      )}
      <Form method="post" className="mt-3">
        <SubmitButton name="intent" value="rotate" variant="secondary" pendingText="Making a new secret…">
          Make a new secret
        </SubmitButton>
      </Form>
    </div>
  );
}

function EditForm({
  endpoint,
  lastResult,
}: {
  endpoint: LoaderData["endpoint"];
  lastResult?: SubmissionResult<string[]>;
}) {
  const [form, fields] = useForm({
    id: "edit-endpoint",
    lastResult,
    defaultValue: { url: endpoint.url, events: endpoint.events, active: endpoint.active ? "on" : undefined },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: WebhookEndpointSchema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  return (
    <div className="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 className="font-semibold text-slate-900">Settings</h2>
      <Form method="post" className="mt-3 space-y-4" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <WebhookEndpointFields url={fields.url} events={fields.events} />
        <div className="flex items-start gap-2">
          <input
            {...getInputProps(fields.active, { type: "checkbox" })}
            className="mt-1 size-4 shrink-0 accent-brand-600"
          />
          <label htmlFor={fields.active.id} className="text-sm text-slate-800">
            <span className="font-semibold">On</span>
            <span className="text-slate-600">
              : events are posted. Off, nothing is posted and pending retries stop.
            </span>
          </label>
        </div>
        <SubmitButton name="intent" value="update" pendingText="Saving…">
          Save changes
        </SubmitButton>
      </Form>
    </div>
  );
}

type Delivery = LoaderData["deliveries"][number];
type Attempt = Delivery["attempts"][number];

const STATUS_TEXT: Record<Delivery["status"], [string, string]> = {
  pending: ["Retrying", "bg-amber-100 text-amber-950"],
  succeeded: ["Delivered", "bg-emerald-100 text-emerald-900"],
  failed: ["Failed", "bg-red-100 text-red-900"],
};

function Deliveries({ deliveries }: { deliveries: Delivery[] }) {
  return (
    <div className="space-y-3">
      <h2 id="deliveries-heading" className="text-lg font-semibold text-slate-900">
        Recent deliveries
      </h2>
      {deliveries.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-5 text-slate-600">
          Nothing delivered yet. Events the endpoint subscribed to show up here as they happen.
        </p>
      ) : (
        <ul aria-labelledby="deliveries-heading" className="space-y-3">
          {deliveries.map((delivery) => (
            <DeliveryRow key={delivery.id} delivery={delivery} />
          ))}
        </ul>
      )}
    </div>
  );
}

function DeliveryRow({ delivery }: { delivery: Delivery }) {
  const [text, colours] = STATUS_TEXT[delivery.status];
  return (
    <li
      aria-labelledby={`delivery-${delivery.id}`}
      className="rounded-xl border border-slate-200 bg-white p-4 shadow-sm"
    >
      <div className="flex flex-wrap items-center gap-2">
        <h3 id={`delivery-${delivery.id}`} className="font-semibold text-slate-900">
          <code>{delivery.eventType}</code>
        </h3>
        <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ${colours}`}>{text}</span>
        <span className="text-sm text-slate-600">
          <Time date={delivery.createdAt} seconds />
        </span>
      </div>
      <p className="mt-1 break-all text-xs text-slate-600">
        webhook-id <code>{delivery.id}</code>
        {delivery.status === "pending" && delivery.nextAttemptAt ? (
          <>
            {" "}
            · next try <Time date={delivery.nextAttemptAt} seconds />
          </>
        ) : null}
      </p>
      {delivery.attempts.length > 0 ? (
        <ol aria-label={`Attempts at ${delivery.id}`} className="mt-3 space-y-2">
          {delivery.attempts.map((attempt) => (
            <AttemptRow key={attempt.id} attempt={attempt} />
          ))}
        </ol>
      ) : null}
      <Form method="post" className="mt-3">
        <input type="hidden" name="deliveryId" value={delivery.id} />
        <SubmitButton
          name="intent"
          value="resend"
          match={{ deliveryId: delivery.id }}
          variant="secondary"
          pendingText="Resending…"
        >
          Resend<span className="sr-only"> {delivery.id}</span>
        </SubmitButton>
      </Form>
    </li>
  );
}

function AttemptRow({ attempt }: { attempt: Attempt }) {
  const ok = attempt.statusCode !== null && attempt.statusCode >= 200 && attempt.statusCode < 300;
  return (
    <li className="rounded-md border border-slate-200 bg-slate-50 p-2 text-sm">
      <p className="flex flex-wrap gap-x-3">
        <Time date={attempt.startedAt} seconds />
        <span className={ok ? "font-semibold text-emerald-800" : "font-semibold text-red-800"}>
          {attempt.statusCode !== null ? `HTTP ${attempt.statusCode}` : attempt.error}
        </span>
        <span className="text-slate-600">{attempt.durationMs} ms</span>
      </p>
      {attempt.responseExcerpt ? (
        <pre className="mt-1 max-h-24 overflow-auto whitespace-pre-wrap break-all rounded bg-white p-2 font-mono text-xs text-slate-800">
          {attempt.responseExcerpt}
        </pre>
      ) : null}
    </li>
  );
}

/** A disclosure, not a script dialog: the endpoint and its delivery log go for good. */
function DeleteForm({ url }: { url: string }) {
  return (
    <details className="rounded-xl border border-red-200 bg-white p-4">
      <summary className="cursor-pointer text-sm font-medium text-red-700">Delete this endpoint…</summary>
      <Form method="post" className="mt-2 space-y-2">
        <p className="text-sm text-red-900">
          Nothing more is posted to <span className="break-all">{url}</span>, and its delivery log is deleted with it.
          To stop deliveries for a while, untick “On” instead.
        </p>
        <SubmitButton name="intent" value="delete" variant="danger" pendingText="Deleting…">
          Delete endpoint
        </SubmitButton>
      </Form>
    </details>
  );
}
