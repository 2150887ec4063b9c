import type { ThreadMessage } from "~/.server/conversations/threads";
import { formatUntil } from "~/lib/time";
import { useClock } from "./time";

type Status = ThreadMessage["status"];

const LABELS: Record<Status, { text: string; icon: string; tone: string }> = {
  received: { text: "Received", icon: "", tone: "" },
  queued: { text: "Sending…", icon: "◔", tone: "text-brand-100" },
  sent: { text: "Sent", icon: "✓", tone: "text-brand-100" },
  buffered: { text: "Sent, waiting for the phone", icon: "✓", tone: "text-brand-100" },
  delivered: { text: "Delivered", icon: "✓✓", tone: "text-white" },
  failed: { text: "Failed", icon: "!", tone: "text-red-100 font-semibold" },
  expired: { text: "Expired: the phone was unreachable", icon: "!", tone: "text-amber-100 font-semibold" },
  cancelled: { text: "Cancelled: never sent", icon: "⊘", tone: "text-brand-100" },
};

/** A queued message the provider turned away for now: the outbox tries again by itself. */
export const isWaiting = (message: Pick<ThreadMessage, "status" | "nextAttemptAt">) =>
  message.status === "queued" && message.nextAttemptAt !== null;

/**
 * Delivery status in words (never colour alone), e.g. "Delivered ✓✓", or
 * "Waiting · MessageBird unreachable · next try in 40 s" while the outbox retries.
 */
export function MessageStatus({
  message,
}: {
  message: Pick<ThreadMessage, "status" | "errorMessage" | "nextAttemptAt">;
}) {
  const clock = useClock();
  const { status, errorMessage: reason, nextAttemptAt } = message;
  if (isWaiting(message)) {
    return (
      <span className="font-semibold text-amber-100" data-status="waiting">
        <span aria-hidden="true">◔ </span>
        Waiting{reason ? ` · ${reason.replace(/\.$/, "")}` : ""} · next try {formatUntil(nextAttemptAt!, clock)}
      </span>
    );
  }
  const label = LABELS[status];
  return (
    <span className={label.tone} data-status={status}>
      <span aria-hidden="true">{label.icon} </span>
      {label.text}
      {status === "failed" && reason ? `: ${reason}` : null}
    </span>
  );
}
