import { requireRole } from "~/.server/auth";
import { env } from "~/.server/env";
import { recentRejections } from "~/.server/webhooks/rejections";
import { useTimeZone } from "~/components/time-zone";
import { formatWhen } from "~/lib/time";
import type { Route } from "./+types/admin.webhooks";

export const meta: Route.MetaFunction = () => [{ title: "Refused webhooks · Birdline" }];

export async function loader({ request }: Route.LoaderArgs) {
  await requireRole(request, "admin");
  return {
    rejections: await recentRejections(),
    inboundUrl: new URL("/webhooks/messagebird", env.appUrl).toString(),
    now: new Date(),
  };
}

export default function RefusedWebhooks({ loaderData }: Route.ComponentProps) {
  const { rejections, inboundUrl, now } = loaderData;
  const timeZone = useTimeZone();
  return (
    <section aria-labelledby="rejections-heading" className="space-y-4">
      <header>
        <h1 id="rejections-heading" className="text-2xl font-bold text-slate-900">
          Refused webhooks
        </h1>
        <p className="mt-1 max-w-3xl text-slate-600">
          Every request to <code className="rounded bg-slate-100 px-1">{inboundUrl}</code> or its status route that Birdline
          did not store, newest first. If messages are not arriving, the reason is here: “url_hash does not match the
          public URL” means <code>APP_URL</code> is not the address MessageBird calls; “wrong secret” means the{" "}
          <code>?secret=</code> in MessageBird differs from <code>MESSAGEBIRD_WEBHOOK_SECRET</code>.
        </p>
      </header>
      {rejections.length === 0 ? (
        <p className="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center text-slate-600">
          Nothing refused. Every webhook so far was stored.
        </p>
      ) : (
        <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
          <table className="min-w-full text-left text-sm">
            <caption className="sr-only">The latest {rejections.length} refused webhook requests</caption>
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-3 py-2">When</th>
                <th scope="col" className="px-3 py-2">Route</th>
                <th scope="col" className="px-3 py-2">Answer</th>
                <th scope="col" className="px-3 py-2">Reason</th>
                <th scope="col" className="px-3 py-2">From</th>
                <th scope="col" className="px-3 py-2">Start of the request</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rejections.map((rejection) => (
                <tr key={rejection.id} className="align-top">
                  <td className="whitespace-nowrap px-3 py-2">
                    <time dateTime={new Date(rejection.createdAt).toISOString()}>
                      {formatWhen(rejection.createdAt, timeZone, new Date(now))}
                    </time>
                  </td>
                  <td className="px-3 py-2 font-mono text-xs">{rejection.route}</td>
                  <td className="px-3 py-2">{rejection.status}</td>
                  <td className="px-3 py-2">{rejection.reason}</td>
                  <td className="px-3 py-2 font-mono text-xs">{rejection.sourceIp ?? "unknown"}</td>
                  <td className="max-w-xs break-all px-3 py-2 font-mono text-xs text-slate-600">{rejection.excerpt ?? "(empty)"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
