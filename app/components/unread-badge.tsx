import { formatUnread } from "~/lib/unread";

/** How many unread, capped ("99+"), read out as "N unread". */
export function UnreadBadge({
  unread,
  testId,
  className = "",
}: {
  unread: number;
  testId?: string;
  className?: string;
}) {
  return (
    <span
      data-testid={testId}
      className={`rounded-full bg-brand-600 py-0.5 text-xs font-semibold text-white ${className}`}
    >
      {formatUnread(unread)}
      <span className="sr-only"> unread</span>
    </span>
  );
}
