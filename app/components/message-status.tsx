import type { ThreadMessage } from "~/.server/conversations/threads";

type Status = ThreadMessage["status"];

const LABELS: Record<Status, { text: string; icon: string; tone: string }> = {
  received: { text: "Received", icon: "", tone: "" },
  queued: { text: "Sending…", icon: "◔", tone: "text-brand-100" },
  sent: { text: "Sent", icon: "✓", tone: "text-brand-100" },
  buffered: { text: "Sent, waiting for the phone", icon: "✓", tone: "text-brand-100" },
  delivered: { text: "Delivered", icon: "✓✓", tone: "text-white" },
  failed: { text: "Failed", icon: "!", tone: "text-red-100 font-semibold" },
  expired: { text: "Expired: the phone was unreachable", icon: "!", tone: "text-amber-100 font-semibold" },
};

/** Delivery status in words (never colour alone), e.g. "Delivered ✓✓". */
export function MessageStatus({ status, reason }: { status: Status; reason?: string | null }) {
  const label = LABELS[status];
  return (
    <span className={label.tone} data-status={status}>
      <span aria-hidden="true">{label.icon} </span>
      {label.text}
      {status === "failed" && reason ? `: ${reason}` : null}
    </span>
  );
}
