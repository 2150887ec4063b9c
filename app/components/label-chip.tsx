import { Link } from "react-router";
import { inboxHref } from "~/lib/inbox";
import { LABEL_CHIP, type LabelColour } from "~/lib/labels";

export type LabelData = { id: string; name: string; colour: LabelColour };

const CHIP = "inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset";

/** A label as a chip; a link to the list filtered by it unless `plain` (a preview, or inside another link). */
export function LabelChip({ label, plain = false }: { label: LabelData; plain?: boolean }) {
  const className = `${CHIP} ${LABEL_CHIP[label.colour]}`;
  if (plain) return <span className={className}>{label.name}</span>;
  return (
    <Link
      to={inboxHref({ label: label.id })}
      className={`${className} hover:underline focus-visible:outline-2 focus-visible:outline-brand-500`}
    >
      <span className="sr-only">Label: </span>
      {label.name}
    </Link>
  );
}
