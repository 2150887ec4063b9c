import { requireRole } from "~/.server/identity/session";
import { env } from "~/.server/platform/env";
import { recentRejections } from "~/.server/webhooks/rejections";
import { Time } from "~/components/time";
import type { Route } from "./+types/admin.webhooks";
import { titleWithUnread } from "~/lib/unread";
import { WEBHOOK_PATHS } from "~/lib/webhook-paths";

export const meta: Route.MetaFunction = ({ matches }) => titleWithUnread(matches, "Refused webhooks · Birdline");

export async function loader({ request }: Route.LoaderArgs) {
  await requireRole(request, "admin");
  return {
    rejections: await recentRejections(),
    inboundUrl: new URL(WEBHOOK_PATHS.inbound, env.appUrl).toString(),
  };
}

const numbers = new Intl.NumberFormat("en-GB");

const COLUMNS = [
  ["When", "px-3 py-2"],
  ["Requests", "px-3 py-2 text-right"],
  ["Route", "px-3 py-2"],
  ["Answer", "px-3 py-2"],
  ["Reason", "px-3 py-2"],
  ["From", "px-3 py-2"],
  ["Start of the first request", "px-3 py-2"],
] as const;

export default function RefusedWebhooks({ loaderData }: Route.ComponentProps) {
  const { rejections, inboundUrl } = loaderData;
  return (
    <section aria-labelledby="rejections-heading" className="space-y-4">
      <header>
        <h1 id="rejections-heading" className="text-2xl font-bold text-slate-900">
          Refused webhooks
        </h1>
        <p className="mt-1 max-w-3xl text-slate-600">
          Every request to <code className="break-all rounded bg-slate-100 px-1">{inboundUrl}</code> or its status route
          that Birdline did not store, most recently refused first. Requests refused for the same reason from the same
          address within a minute share one row, with how many there were. If messages are not arriving, the reason is
          here: “url_hash does not match the public URL” means <code>APP_URL</code> is not the address MessageBird
          calls; “wrong secret” means the <code>?secret=</code> in MessageBird differs from{" "}
          <code>MESSAGEBIRD_WEBHOOK_SECRET</code>.
        </p>
      </header>
      {rejections.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center text-slate-600">
          Nothing refused. Every webhook so far was stored.
        </p>
      ) : (
        <div
          role="region"
          aria-labelledby="rejections-heading"
          // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- a region that scrolls must take keyboard focus
          tabIndex={0}
          className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm"
        >
          <table className="min-w-full text-left text-sm">
            <caption className="sr-only">
              The latest {rejections.length} groups of refused webhook requests, one per minute, route, answer, reason
              and address
            </caption>
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                {COLUMNS.map(([label, className]) => (
                  <th key={label} scope="col" className={className}>
                    {label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rejections.map((rejection) => (
                <tr key={rejection.id} className="align-top">
                  <td className="whitespace-nowrap px-3 py-2">
                    <Time date={rejection.lastAt} />
                    {rejection.count > 1 && (
                      <span className="block text-xs text-slate-500">
                        <Time seconds date={rejection.firstAt} /> to <Time seconds date={rejection.lastAt} />
                      </span>
                    )}
                  </td>
                  <td className="whitespace-nowrap px-3 py-2 text-right tabular-nums">
                    <span aria-hidden="true">×</span>
                    {numbers.format(rejection.count)}
                  </td>
                  <td className="px-3 py-2 font-mono text-xs">{rejection.route}</td>
                  <td className="px-3 py-2">{rejection.status}</td>
                  <td className="px-3 py-2">{rejection.reason}</td>
                  <td className="px-3 py-2 font-mono text-xs">{rejection.sourceIp}</td>
                  <td className="max-w-xs break-all px-3 py-2 font-mono text-xs text-slate-600">
                    {rejection.excerpt ?? "(empty)"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
