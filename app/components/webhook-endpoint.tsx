import { getInputProps, type FieldMetadata } from "@conform-to/react";
import { Field, ErrorList } from "~/components/forms";
import { URL_MAX, WEBHOOK_EVENT_HINTS, WEBHOOK_EVENTS } from "~/lib/outgoing-webhook-schemas";

/** The address and the events: the same fields to add an endpoint and to change one. */
export function WebhookEndpointFields({
  url,
  events,
}: {
  url: FieldMetadata<string>;
  events: FieldMetadata<string[]>;
}) {
  const chosen = new Set(
    Array.isArray(events.initialValue) ? events.initialValue : events.initialValue ? [events.initialValue] : [],
  );
  const errorId = events.errors?.length ? events.errorId : undefined;
  return (
    <>
      <Field
        label="Address (URL)"
        hint="Where Birdline posts each event as JSON, signed. It must be reachable from the internet."
        errors={url.errors}
        inputProps={{
          ...getInputProps(url, { type: "url" }),
          maxLength: URL_MAX,
          autoComplete: "off",
          placeholder: "https://crm.example.com/hooks/birdline",
        }}
      />
      <fieldset aria-describedby={errorId} aria-invalid={errorId ? true : undefined}>
        <legend className="block text-sm font-medium text-slate-800">Events</legend>
        <ul className="mt-1 space-y-1">
          {WEBHOOK_EVENTS.map((event) => (
            <li key={event} className="flex items-start gap-2">
              <input
                type="checkbox"
                id={`${events.id}-${event}`}
                name={events.name}
                value={event}
                defaultChecked={chosen.has(event)}
                className="mt-1 size-4 shrink-0 accent-brand-600"
              />
              <label htmlFor={`${events.id}-${event}`} className="text-sm text-slate-800">
                <code className="font-semibold">{event}</code>
                <span className="text-slate-600">: {WEBHOOK_EVENT_HINTS[event]}</span>
              </label>
            </li>
          ))}
        </ul>
        <ErrorList id={errorId} errors={events.errors} />
      </fieldset>
    </>
  );
}

/** On, off, or turned off by Birdline (the reason is shown beside it). */
export function EndpointState({ endpoint }: { endpoint: { active: boolean; disabledReason: string | null } }) {
  const [text, colours] = endpoint.active
    ? ["On", "bg-emerald-100 text-emerald-900"]
    : endpoint.disabledReason
      ? ["Turned off by Birdline", "bg-amber-100 text-amber-950"]
      : ["Off", "bg-slate-200 text-slate-800"];
  return <span className={`rounded-full px-2 py-0.5 text-xs font-semibold ${colours}`}>{text}</span>;
}
