import { useFetcher, useFetchers } from "react-router";
import { LabelChip, type LabelData } from "~/components/label-chip";

/**
 * The conversation's labels with a way to take each off, and a picker to put
 * another on: plain forms (`intent=label`, `labelId`, `on`), fetchers with
 * JavaScript so the page stays where it is.
 */
export function ThreadLabels({ on, all }: { on: LabelData[]; all: LabelData[] }) {
  const adding = useFetcher();
  const carried = new Set(on.map((label) => label.id));
  // While one is being put on, it shows at once; one being taken off is hidden by its own form below.
  const pendingId = adding.formData?.get("labelId");
  const shown = [...on, ...all.filter((label) => label.id === pendingId && !carried.has(label.id))];
  const offered = all.filter((label) => !carried.has(label.id) && label.id !== pendingId);
  // Until every change is saved, the bar says so to assistive technology (and to tests).
  const saving = useFetchers().some(
    (fetcher) => fetcher.state !== "idle" && fetcher.formData?.get("intent") === "label",
  );
  return (
    <section
      aria-labelledby="thread-labels-heading"
      aria-busy={saving || undefined}
      className="flex flex-wrap items-center gap-2 rounded-xl border border-slate-200 bg-white px-4 py-3 text-sm shadow-sm"
    >
      <h2 id="thread-labels-heading" className="font-medium text-slate-800">
        Labels
      </h2>
      {shown.length === 0 ? <p className="text-slate-600">None</p> : null}
      <ul className="flex flex-wrap items-center gap-2">
        {shown.map((label) => (
          <CarriedLabel key={label.id} label={label} />
        ))}
      </ul>
      {all.length === 0 ? (
        <p className="text-slate-600">An admin adds the team&apos;s labels under Labels.</p>
      ) : offered.length > 0 ? (
        <adding.Form method="post" preventScrollReset className="ml-auto flex min-w-0 items-center gap-2">
          <input type="hidden" name="intent" value="label" />
          <input type="hidden" name="on" value="1" />
          <label htmlFor="add-label" className="sr-only">
            Label to add
          </label>
          <select
            id="add-label"
            name="labelId"
            className="min-w-0 rounded-md border border-slate-300 bg-white px-2 py-1.5"
            key={offered.length}
          >
            {offered.map((label) => (
              <option key={label.id} value={label.id}>
                {label.name}
              </option>
            ))}
          </select>
          <button
            type="submit"
            disabled={adding.state !== "idle"}
            className="rounded-md border border-slate-300 bg-white px-3 py-1.5 font-medium text-slate-800 hover:bg-slate-50"
          >
            {adding.state !== "idle" ? "Adding…" : "Add label"}
          </button>
        </adding.Form>
      ) : null}
    </section>
  );
}

function CarriedLabel({ label }: { label: LabelData }) {
  const removing = useFetcher();
  if (removing.state !== "idle") return null;
  return (
    <li className="inline-flex items-center gap-0.5">
      <LabelChip label={label} />
      <removing.Form method="post" preventScrollReset>
        <input type="hidden" name="intent" value="label" />
        <input type="hidden" name="labelId" value={label.id} />
        <input type="hidden" name="on" value="0" />
        <button
          type="submit"
          className="rounded-full px-1.5 text-base leading-none text-slate-600 hover:bg-slate-100 hover:text-slate-900"
        >
          <span aria-hidden="true">×</span>
          <span className="sr-only">Remove label {label.name}</span>
        </button>
      </removing.Form>
    </li>
  );
}
