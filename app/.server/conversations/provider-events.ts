/**
 * What MessageBird tells us, in our terms: an inbound SMS and a delivery
 * report. The webhook edge parses into these; the domain stores them.
 */

/** The statuses a MessageBird delivery report can carry. */
export const REPORTED_STATUSES = ["scheduled", "sent", "buffered", "delivered", "expired", "delivery_failed"] as const;
export type ReportedStatus = (typeof REPORTED_STATUSES)[number];

/** An SMS someone sent to our virtual number, numbers already in E.164. */
export type InboundSms = {
  from: string;
  to: string;
  body: string;
  providerMessageId?: string;
  /** The provider's timestamp exactly as sent: only used to recognise redeliveries. */
  sentAt?: string;
};

export type DeliveryReport = {
  providerMessageId?: string;
  /** Our message id, which we pass to MessageBird as `reference` when sending. */
  reference?: string;
  status: ReportedStatus;
  reason?: string;
  errorCode?: string;
  statusAt?: Date;
};
