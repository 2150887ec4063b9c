import { useFetcher, useLocation } from "react-router";

/**
 * Available / Away for agents and admins, in the header. A plain form posting
 * to /settings/availability (back to this page after); with JavaScript a
 * fetcher, which shows the new state while it is saved.
 */
export function AvailabilityToggle({ away }: { away: boolean }) {
  const fetcher = useFetcher();
  const { pathname, search } = useLocation();
  const pending = fetcher.formData?.get("away");
  const shown = pending === undefined || pending === null ? away : pending === "1";
  return (
    <fetcher.Form method="post" action="/settings/availability" className="px-3 py-1 lg:px-1.5">
      <input type="hidden" name="redirectTo" value={`${pathname}${search}`} />
      <input type="hidden" name="away" value={shown ? "0" : "1"} />
      <button
        type="submit"
        data-testid="availability"
        aria-busy={fetcher.state !== "idle" || undefined}
        className="inline-flex items-center gap-1.5 rounded-full border border-slate-300 bg-white px-2.5 py-1 text-xs font-medium text-slate-800 hover:bg-slate-50"
      >
        <span aria-hidden="true" className={`h-2 w-2 rounded-full ${shown ? "bg-amber-500" : "bg-emerald-600"}`} />
        {shown ? "Away" : "Available"}
        <span className="sr-only">{shown ? ": set yourself available" : ": set yourself away"}</span>
      </button>
    </fetcher.Form>
  );
}
