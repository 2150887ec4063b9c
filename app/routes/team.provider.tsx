import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, Link, redirect } from "react-router";
import { z } from "zod";
import { requireRole } from "~/.server/identity/session";
import { addBirdNumber, providerOverview, registerBirdWebhook } from "~/.server/sms/provider-setup";
import { ErrorList, SubmitButton } from "~/components/forms";
import { Time } from "~/components/time";
import { formatPhone } from "~/lib/phone";
import { titleWithUnread } from "~/lib/unread";
import type { Route } from "./+types/team.provider";

export const meta: Route.MetaFunction = ({ matches }) => titleWithUnread(matches, "SMS provider · Birdline");

const ProviderActionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("add-number"), number: z.string({ error: "Pick a number." }).max(32) }),
  z.object({ intent: z.literal("register-webhook") }),
]);

export async function loader({ request }: Route.LoaderArgs) {
  await requireRole(request, "admin");
  const registered = new URL(request.url).searchParams.get("registered");
  return { overview: await providerOverview(), registered };
}

export async function action({ request }: Route.ActionArgs) {
  await requireRole(request, "admin");
  const submission = parseWithZod(await request.formData(), { schema: ProviderActionSchema });
  if (submission.status !== "success") return data({ intent: "", message: "Unknown action." }, { status: 400 });
  const input = submission.value;
  if (input.intent === "add-number") {
    const added = await addBirdNumber(input.number);
    if (!added.ok)
      return data({ intent: input.intent, number: input.number, message: added.message }, { status: added.status });
    throw redirect("/team/provider");
  }
  const registered = await registerBirdWebhook();
  if (!registered.ok) return data({ intent: input.intent, message: registered.message }, { status: 502 });
  throw redirect(`/team/provider?registered=${encodeURIComponent(registered.id)}`);
}

export default function Provider({ loaderData, actionData }: Route.ComponentProps) {
  const { overview, registered } = loaderData;
  return (
    <section aria-labelledby="provider-heading" className="space-y-6">
      <header>
        <h1 id="provider-heading" className="text-2xl font-bold text-slate-900">
          SMS provider
        </h1>
        <p className="mt-1 max-w-3xl text-slate-600">
          {overview.api === "bird"
            ? overview.simulated
              ? "The simulator stands in for the Bird platform (SIMULATOR_API=bird): everything below works as with a real Bird account, and texts land on the simulated phone."
              : "MESSAGEBIRD_API_KEY is a Bird platform key (bk_…): Birdline sends and receives through the Bird platform API."
            : overview.simulated
              ? "No key is configured: the simulator speaks the legacy MessageBird API. Set SIMULATOR_API=bird to try the Bird platform instead."
              : "MESSAGEBIRD_API_KEY is a legacy MessageBird key: Birdline uses the legacy API (rest.messagebird.com). Accounts opened today get a Bird platform key (bk_…) instead; see the README, “Connecting Bird”."}
        </p>
      </header>

      {overview.problem ? (
        <p role="alert" className="max-w-3xl rounded-xl border border-red-200 bg-red-50 p-4 text-red-900">
          {overview.problem}
        </p>
      ) : null}

      {overview.api === "bird" ? (
        <>
          <Workspace name={overview.workspace?.name ?? null} />
          <BirdNumbers
            numbers={overview.numbers}
            answer={actionData?.intent === "add-number" ? actionData : undefined}
          />
          <Webhook
            webhook={overview.webhook}
            registered={registered}
            error={actionData?.intent === "register-webhook" ? actionData.message : undefined}
          />
        </>
      ) : (
        <p className="max-w-3xl text-slate-600">
          The legacy API has no setup to do here: point each number&apos;s inbound flow at Birdline as the README
          describes, and see <Link to="/admin/webhooks">refused webhooks</Link> if messages do not arrive.
        </p>
      )}
    </section>
  );
}

function Card({ id, title, children }: { id: string; title: string; children: React.ReactNode }) {
  return (
    <section aria-labelledby={id} className="max-w-3xl rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
      <h2 id={id} className="font-semibold text-slate-900">
        {title}
      </h2>
      {children}
    </section>
  );
}

function Workspace({ name }: { name: string | null }) {
  return (
    <Card id="workspace-heading" title="Workspace">
      <p className="mt-1 text-slate-700">
        {name ? (
          <>
            The key belongs to the workspace <strong>{name}</strong>.
          </>
        ) : (
          "Bird did not tell us the workspace (see above)."
        )}
      </p>
    </Card>
  );
}

type BirdNumberRow = Extract<Route.ComponentProps["loaderData"]["overview"], { api: "bird" }>["numbers"][number];

function BirdNumbers({ numbers, answer }: { numbers: BirdNumberRow[]; answer?: { number?: string; message: string } }) {
  return (
    <Card id="bird-numbers-heading" title="Numbers in the Bird workspace">
      <p className="mt-1 text-sm text-slate-600">
        The workspace&apos;s numbers that can send and receive SMS. A number joins Birdline only when you add it; each
        conversation then keeps its number, and replies always go out from it.{" "}
        <Link to="/team/numbers" className="font-medium text-brand-700 underline">
          Our numbers
        </Link>
      </p>
      {numbers.length === 0 ? (
        <p className="mt-3 text-slate-600">No SMS numbers found in the workspace.</p>
      ) : (
        <ul aria-label="Bird numbers" className="mt-3 divide-y divide-slate-100">
          {numbers.map((number) => (
            <li key={number.id} aria-label={number.number} className="flex flex-wrap items-center gap-3 py-2">
              <span className="min-w-40 flex-1">
                <span className="font-medium text-slate-900">{formatPhone(number.number)}</span>
                {number.name ? <span className="ml-2 text-sm text-slate-600">{number.name}</span> : null}
              </span>
              {number.inBirdline ? (
                <span className="rounded-full bg-brand-100 px-2 py-0.5 text-xs font-medium text-brand-900">
                  In Birdline
                </span>
              ) : (
                <Form method="post">
                  <input type="hidden" name="number" value={number.number} />
                  <SubmitButton
                    name="intent"
                    value="add-number"
                    match={{ number: number.number }}
                    pendingText="Adding…"
                    variant="secondary"
                  >
                    Add to Birdline
                  </SubmitButton>
                </Form>
              )}
              {answer?.number === number.number ? <ErrorList errors={[answer.message]} /> : null}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

type WebhookState = Extract<Route.ComponentProps["loaderData"]["overview"], { api: "bird" }>["webhook"];

function Webhook({ webhook, registered, error }: { webhook: WebhookState; registered: string | null; error?: string }) {
  const request = JSON.stringify({ url: webhook.url, description: "Birdline", events: webhook.events }, null, 2);
  const configured = webhook.registered.length > 0 || webhook.secretFromEnv;
  return (
    <Card id="webhook-heading" title="Webhook">
      <p className="mt-1 text-sm text-slate-600">
        Bird delivers incoming texts, delivery statuses and opt-outs to{" "}
        <code className="break-all rounded bg-slate-100 px-1">{webhook.url}</code>, signed with a secret it gives out
        once, when the webhook is created. Birdline keeps it encrypted and uses it at once.
      </p>
      {registered ? (
        <p role="status" className="mt-3 rounded-md bg-green-50 p-3 text-green-900">
          Webhook registered ({registered}). Bird now sends every SMS event here.
        </p>
      ) : null}
      {webhook.registered.length > 0 ? (
        <ul aria-label="Registered webhooks" className="mt-3 space-y-1 text-sm text-slate-700">
          {webhook.registered.map((endpoint) => (
            <li key={endpoint.id}>
              <code>{endpoint.id}</code> → <code className="break-all">{endpoint.url}</code>, registered{" "}
              <Time date={endpoint.createdAt} />
            </li>
          ))}
        </ul>
      ) : null}
      {webhook.secretFromEnv ? (
        <p className="mt-3 text-sm text-slate-700">
          BIRD_WEBHOOK_SECRET is set: a webhook registered by hand in Bird is accepted too.
        </p>
      ) : null}
      {!configured ? (
        <p className="mt-3 text-sm font-medium text-amber-900">
          No webhook yet: until one is registered, Bird&apos;s deliveries are refused and nothing arrives.
        </p>
      ) : null}
      {webhook.unreachable ? (
        <div className="mt-3 rounded-md border border-amber-200 bg-amber-50 p-3 text-sm text-amber-950">
          <p>
            This Birdline runs in local mode, on a URL Bird cannot reach (Bird only delivers to a public HTTPS address),
            so it cannot be registered from here. Once APP_URL is the public address, this page registers:
          </p>
          <pre className="mt-2 overflow-x-auto rounded bg-white p-2 text-xs">{`POST /v1/webhooks\n${request}`}</pre>
        </div>
      ) : (
        <Form method="post" className="mt-3 space-y-2">
          <details className="text-sm text-slate-600">
            <summary className="cursor-pointer">What Birdline asks Bird for</summary>
            <pre className="mt-2 overflow-x-auto rounded bg-slate-50 p-2 text-xs">{`POST /v1/webhooks\n${request}`}</pre>
          </details>
          <ErrorList errors={error ? [error] : undefined} />
          <SubmitButton name="intent" value="register-webhook" pendingText="Registering…">
            {configured ? "Register another webhook" : "Register webhook"}
          </SubmitButton>
        </Form>
      )}
    </Card>
  );
}
