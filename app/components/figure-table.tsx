/**
 * Figures as a table: a row header, then right-aligned numbers, in a region that scrolls sideways
 * on a narrow screen (and takes keyboard focus for it). The reports' tables and their charts' data.
 */
export function FigureTable({
  label,
  columns,
  rows,
  className = "",
}: {
  /** The table's caption and the scrolling region's name. */
  label: string;
  columns: string[];
  rows: (string | number)[][];
  className?: string;
}) {
  return (
    <div
      role="region"
      aria-label={label}
      // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex -- a region that scrolls must take keyboard focus
      tabIndex={0}
      className={`overflow-auto rounded-lg border border-slate-200 ${className}`}
    >
      <table className="min-w-full text-left text-sm">
        <caption className="sr-only">{label}</caption>
        <thead className="sticky top-0 bg-slate-50 text-xs uppercase tracking-wide text-slate-600">
          <tr>
            {columns.map((column, index) => (
              <th key={column} scope="col" className={`px-3 py-2 ${index > 0 ? "text-right" : ""}`}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {rows.map(([first, ...rest], row) => (
            <tr key={row}>
              <th scope="row" className="whitespace-nowrap px-3 py-1.5 font-medium text-slate-900">
                {first}
              </th>
              {rest.map((value, index) => (
                <td key={index} className="whitespace-nowrap px-3 py-1.5 text-right tabular-nums">
                  {value}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
