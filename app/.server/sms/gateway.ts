import { env } from "../platform/env";
import { WEBHOOK_PATHS, type WebhookPath } from "~/lib/webhook-paths";

/**
 * Every SMS Birdline sends goes through this one interface. Two implementations:
 * the real MessageBird SDK and a simulator for zero-config runs.
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
  readonly name: "messagebird" | "simulator";
  /** Resolves once the provider accepted the SMS; rejects with an {@link SmsSendError}. */
  send(sms: OutboundSms): Promise<{ providerMessageId: string }>;
};

/**
 * Why an SMS could not be sent. `retryable` tells the caller whether sending the
 * same SMS again later may succeed (outage, timeout) or never will (bad key,
 * bad recipient, no balance). `reason` is safe to show to the person who sent it.
 */
export class SmsSendError extends Error {
  readonly retryable: boolean;
  readonly reason: string;
  /** The provider's own error code (MessageBird `errors[].code`), kept for support; null when there is none. */
  readonly providerCode: string | null;
  /** The provider's HTTP status; null for network errors and timeouts. */
  readonly statusCode: number | null;

  constructor(details: {
    retryable: boolean;
    reason: string;
    providerCode?: string | null;
    statusCode?: number | null;
    cause?: unknown;
  }) {
    super(details.reason, { cause: details.cause });
    this.name = "SmsSendError";
    this.retryable = details.retryable;
    this.reason = details.reason;
    this.providerCode = details.providerCode ?? null;
    this.statusCode = details.statusCode ?? null;
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

let active: Promise<SmsGateway> | undefined;

/**
 * The gateway this process sends with, chosen once from configuration.
 * Imported on demand: only the active implementation loads (the SDK is not
 * needed by the simulator, the simulator's table not by production), and the
 * implementations can import this module without an import cycle.
 */
export function smsGateway(): Promise<SmsGateway> {
  active ??=
    env.smsGateway === "messagebird"
      ? import("./messagebird").then(({ createMessageBirdGateway }) =>
          createMessageBirdGateway({
            // env.ts refuses to boot with SMS_GATEWAY=messagebird and no key.
            accessKey: env.messagebird.apiKey!,
            reportUrl: statusReportUrl().toString(),
          }),
        )
      : import("./simulator").then(({ createSimulatorGateway }) => createSimulatorGateway());
  return active;
}
