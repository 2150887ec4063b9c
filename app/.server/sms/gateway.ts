import { env } from "../platform/env";
import { WEBHOOK_PATHS, type WebhookPath } from "~/lib/webhook-paths";
import type { DeliveryReport } from "../conversations/provider-events";

/**
 * Every SMS Birdline sends goes through this one interface, called only by the
 * outbox's worker. Three implementations: the legacy MessageBird REST API, the
 * Bird platform (`bk_` keys) and a simulator for zero-config runs.
 */
export type OutboundSms = {
  /** Which of our numbers sends it: the conversation's, or the default for the app's own SMS. */
  from: string;
  /** E.164 recipient. */
  to: string;
  body: string;
  /**
   * Our own message id; delivery reports carry it back. Without it no report is
   * requested (verification codes need none, and their reports would only look
   * like reports for unknown messages).
   */
  reference?: string;
};

export type SmsGateway = {
  readonly name: "messagebird" | "bird" | "simulator";
  /** Resolves once the provider accepted the SMS; rejects with an {@link SmsSendError}. */
  send(sms: OutboundSms): Promise<{ providerMessageId: string }>;
  /**
   * The provider's id for an SMS sent earlier with this `reference`, or null if it
   * never went out: asked before sending again after an attempt whose outcome is
   * unknown, so nothing goes out twice.
   */
  findSent(sms: OutboundSms & { reference: string; since: Date }): Promise<{ providerMessageId: string } | null>;
  /** Where a sent SMS stands at the provider, for one whose delivery report never came. */
  deliveryStatus(providerMessageId: string): Promise<DeliveryReport | null>;
};

/**
 * What a failed send means for the next attempt: `permanent` never succeeds
 * (bad key, bad recipient, no balance); `transient` did not go out and may
 * next time (unreachable, 5xx, 429); `unknown` may have gone out (a timeout or
 * dropped connection after the request was written), so ask before resending.
 */
export type SendFailureKind = "permanent" | "transient" | "unknown";

/**
 * Why an SMS could not be sent. `reason` is safe to show to the person who sent it.
 */
export class SmsSendError extends Error {
  readonly kind: SendFailureKind;
  readonly reason: string;
  /** The provider's own error code (MessageBird `errors[].code`), kept for support; null when there is none. */
  readonly providerCode: string | null;
  /** The provider's HTTP status; null for network errors and timeouts. */
  readonly statusCode: number | null;
  /** How long the provider asked us to wait (`Retry-After`), in ms; null when it did not say. */
  readonly retryAfterMs: number | null;

  constructor(details: {
    kind: SendFailureKind;
    reason: string;
    providerCode?: string | null;
    statusCode?: number | null;
    retryAfterMs?: number | null;
    cause?: unknown;
  }) {
    super(details.reason, { cause: details.cause });
    this.name = "SmsSendError";
    this.kind = details.kind;
    this.reason = details.reason;
    this.providerCode = details.providerCode ?? null;
    this.statusCode = details.statusCode ?? null;
    this.retryAfterMs = details.retryAfterMs ?? null;
  }

  get retryable(): boolean {
    return this.kind !== "permanent";
  }
}

/**
 * Where MessageBird (or the simulator) sends delivery reports. Built from the
 * public APP_URL, never from an incoming request, so it is right behind a proxy.
 */
/** One of our webhook URLs with the shared secret MessageBird puts in it; on the public URL unless `base` says otherwise. */
export function webhookUrl(path: WebhookPath, base: URL | string = env.appUrl.origin): URL {
  const url = new URL(path, base);
  if (env.messagebird.webhookSecret) url.searchParams.set("secret", env.messagebird.webhookSecret);
  return url;
}

export const statusReportUrl = () => webhookUrl(WEBHOOK_PATHS.status);

/** The provider as people know it, for sentences such as "MessageBird unreachable since 14:02". */
export const providerName = () =>
  env.smsGateway === "simulator" ? "The SMS simulator" : env.smsApi === "bird" ? "Bird" : "MessageBird";

let active: Promise<SmsGateway> | undefined;

/**
 * The gateway this process sends with, chosen once from configuration: the
 * key's API, or the simulator in the dialect SIMULATOR_API asks for (its Bird
 * dialect is the real Bird gateway talking to the simulated platform).
 * Imported on demand: only the active implementation loads (the SDK is not
 * needed by the simulator, the simulator's table not by production), and the
 * implementations can import this module without an import cycle.
 */
export function smsGateway(): Promise<SmsGateway> {
  active ??=
    env.smsApi === "bird"
      ? import("./bird-connection").then(({ birdConnection }) => birdConnection().gateway)
      : env.smsGateway === "messagebird"
        ? import("./messagebird").then(({ createMessageBirdGateway }) =>
            createMessageBirdGateway({
              // env.ts refuses to boot with SMS_GATEWAY=messagebird and no key.
              accessKey: env.messagebird.apiKey!,
              apiUrl: env.messagebird.apiUrl,
              reportUrl: statusReportUrl().toString(),
            }),
          )
        : import("./simulator").then(({ createSimulatorGateway }) => createSimulatorGateway());
  return active;
}
