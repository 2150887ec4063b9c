import { env } from "../platform/env";
import { WEBHOOK_PATHS, type WebhookPath } from "~/lib/webhook-paths";

/**
 * Every SMS Birdline sends goes through this one interface. Three implementations:
 * the legacy MessageBird API (its SDK), the Bird platform (`bk_` keys, plain
 * fetch) and a simulator for zero-config runs.
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
};

/**
 * What a retry can expect: `transient` was certainly not sent and may go
 * through later (unreachable, 5xx, 429); `permanent` never will (bad key, bad
 * recipient, no balance); `unknown` means the request left and no answer came,
 * so the provider may have sent it (retry only with the same idempotency key).
 */
export type SendFailureKind = "transient" | "permanent" | "unknown";

/**
 * Why an SMS could not be sent. `retryable` tells the caller whether sending the
 * same SMS again later may succeed (outage, timeout) or never will (bad key,
 * bad recipient, no balance); `kind` says more. `reason` is safe to show to the
 * person who sent it.
 */
export class SmsSendError extends Error {
  readonly retryable: boolean;
  readonly reason: string;
  /** The provider's own error code (MessageBird `errors[].code`), kept for support; null when there is none. */
  readonly providerCode: string | null;
  /** The provider's HTTP status; null for network errors and timeouts. */
  readonly statusCode: number | null;
  readonly kind: SendFailureKind;
  /** How long the provider asked us to wait (429 `Retry-After`); null when it did not say. */
  readonly retryAfterSeconds: number | null;

  constructor(details: {
    retryable: boolean;
    reason: string;
    providerCode?: string | null;
    statusCode?: number | null;
    /** The request may have reached the provider: no answer, or the connection dropped after sending. */
    outcomeUnknown?: boolean;
    retryAfterSeconds?: number | null;
    cause?: unknown;
  }) {
    super(details.reason, { cause: details.cause });
    this.name = "SmsSendError";
    this.retryable = details.retryable;
    this.reason = details.reason;
    this.providerCode = details.providerCode ?? null;
    this.statusCode = details.statusCode ?? null;
    this.kind = details.outcomeUnknown ? "unknown" : details.retryable ? "transient" : "permanent";
    this.retryAfterSeconds = details.retryAfterSeconds ?? null;
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
              reportUrl: statusReportUrl().toString(),
            }),
          )
        : import("./simulator").then(({ createSimulatorGateway }) => createSimulatorGateway());
  return active;
}
