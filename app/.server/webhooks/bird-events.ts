import { z } from "zod";
import type { DeliveryReport, InboundSms, ReportedStatus } from "../conversations/provider-events";
import { id, phone, plausibleTime, smsText, type Parsed } from "./parse";

/**
 * The Bird platform's webhook events (`{type, timestamp, data}`) in our terms.
 * Field names are Bird's; a refusal names the field as Bird spells it.
 */

export type BirdEvent =
  | { kind: "inbound"; sms: InboundSms }
  | { kind: "status"; report: DeliveryReport }
  | { kind: "suppression"; contact: string; ourNumber: string | null; at: Date | undefined }
  /** An event type we did not ask for: acknowledged so Bird does not retry it, and noted for admins. */
  | { kind: "other"; type: string };

/** Bird's statuses as MessageBird's stages: accepted is our "sent", sent (to the carrier) waits for the phone. */
const STATUS_OF = {
  "sms.accepted": "sent",
  "sms.sent": "buffered",
  "sms.delivered": "delivered",
  "sms.undelivered": "delivery_failed",
  "sms.failed": "delivery_failed",
  "sms.rejected": "delivery_failed",
  "sms.expired": "expired",
} as const satisfies Record<string, ReportedStatus>;

/** Bird's `error.code` (an open set) in words an agent can pass on. */
const ERROR_WORDS: Record<string, string> = {
  invalid_destination: "The number is not a valid mobile number.",
  unreachable: "The phone is unreachable.",
  blocked_by_carrier: "The carrier blocked the message.",
  blocked_by_recipient: "The recipient blocks messages from us.",
  landline_unreachable: "The number is a landline and cannot receive SMS.",
  content_rejected: "The carrier refused the message's content.",
  sender_unregistered: "Our number is not registered to send to this country.",
  recipient_opted_out: "The recipient has opted out of our messages with Bird.",
  provider_unavailable: "The carrier was unavailable.",
  insufficient_balance: "The Bird account has run out of balance.",
  unknown: "The carrier did not say why.",
};

const FALLBACK_REASON: Partial<Record<keyof typeof STATUS_OF, string>> = {
  "sms.undelivered": "The phone did not receive it.",
  "sms.failed": "Bird could not send it.",
  "sms.rejected": "Bird refused to send it.",
  "sms.expired": "The phone was unreachable until the message expired.",
};

const text = (max: number) => z.string().max(max).optional().catch(undefined);

const envelope = z.object({
  type: z.string({ error: "required" }).min(1, { error: "required" }).max(100),
  timestamp: z.string().max(64).optional(),
  data: z.record(z.string(), z.unknown(), { error: "expected an object" }),
});

const receivedData = z.object({
  sms_id: id.pipe(z.string({ error: "required" })),
  from: phone,
  to: phone,
  text: smsText.optional(),
});

const statusData = z.object({
  sms_id: id.pipe(z.string({ error: "required" })),
  metadata: z
    .object({ birdline_message_id: text(128) })
    .nullish()
    .catch(null),
  error: z
    .object({ code: text(64), description: text(500) })
    .nullish()
    .catch(null),
});

const suppressionData = z.object({
  destination: phone.optional(),
  phone_number: phone.optional(),
  to: phone.optional(),
  originator: phone.optional().catch(undefined),
});

function refusal(error: z.ZodError, input: Record<string, unknown>, prefix = ""): Parsed<never> {
  const issue = error.issues[0]!;
  const [first] = issue.path;
  const field = first === undefined ? prefix.replace(/\.$/, "") || "body" : `${prefix}${issue.path.join(".")}`;
  const missing = first !== undefined && input[String(first)] === undefined && issue.code !== "custom";
  return { ok: false, status: 400, reason: `${field}: ${missing ? "required" : issue.message}` };
}

type BirdStatusEvent = keyof typeof STATUS_OF;

function reportOf(
  event: BirdStatusEvent,
  { sms_id, metadata, error }: z.infer<typeof statusData>,
  timestamp: string | undefined,
): DeliveryReport {
  const code = error?.code;
  return {
    providerMessageId: sms_id,
    reference: metadata?.birdline_message_id,
    status: STATUS_OF[event],
    reason: (code && ERROR_WORDS[code]) ?? error?.description ?? FALLBACK_REASON[event],
    errorCode: code,
    statusAt: plausibleTime(timestamp),
  };
}

/**
 * A message as `GET /v1/sms/messages/{id}` answers it, as a delivery report:
 * the same statuses and words as its events. Null for what is not a status we track.
 */
export function birdMessageReport(message: Record<string, unknown>): DeliveryReport | null {
  const event = `sms.${String(message.status)}`;
  if (!(event in STATUS_OF)) return null;
  const fields = statusData.safeParse({ ...message, sms_id: message.id });
  if (!fields.success) return null;
  const at = [message.delivered_at, message.sent_at, message.updated_at].find((value) => typeof value === "string");
  return reportOf(event as BirdStatusEvent, fields.data, at as string | undefined);
}

export function parseBirdEvent(json: unknown): Parsed<BirdEvent> {
  const parsed = envelope.safeParse(json);
  if (!parsed.success) return refusal(parsed.error, json as Record<string, unknown>);
  const { type, timestamp, data } = parsed.data;

  if (type === "sms.received") {
    const sms = receivedData.safeParse(data);
    if (!sms.success) return refusal(sms.error, data, "data.");
    const { sms_id, from, to, text } = sms.data;
    // Bird omits `text` on an attachment-only message: stored empty rather than dropped.
    return {
      ok: true,
      value: { kind: "inbound", sms: { from, to, body: text ?? "", providerMessageId: sms_id, sentAt: timestamp } },
    };
  }
  if (type in STATUS_OF) {
    const report = statusData.safeParse(data);
    if (!report.success) return refusal(report.error, data, "data.");
    return { ok: true, value: { kind: "status", report: reportOf(type as BirdStatusEvent, report.data, timestamp) } };
  }
  if (type === "sms_suppression.created") {
    const suppression = suppressionData.safeParse(data);
    if (!suppression.success) return refusal(suppression.error, data, "data.");
    const { destination, phone_number, to, originator } = suppression.data;
    const contact = destination ?? phone_number ?? to;
    if (!contact) return { ok: false, status: 400, reason: "data.destination: required" };
    return {
      ok: true,
      value: { kind: "suppression", contact, ourNumber: originator ?? null, at: plausibleTime(timestamp) },
    };
  }
  return { ok: true, value: { kind: "other", type: type.slice(0, 100) } };
}
