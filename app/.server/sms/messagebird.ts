import messagebird from "messagebird";
import { SmsSendError, type SmsGateway } from "./gateway";

export type MessageBirdGatewayConfig = {
  accessKey: string;
  /** Per-message delivery-report URL; MessageBird only reports on messages that carry a `reference`. */
  reportUrl: string;
  timeoutMs?: number;
};

/** Enough for MessageBird on a bad day, short enough that a reply form does not hang. */
const DEFAULT_TIMEOUT_MS = 10_000;

/** The real MessageBird SDK behind the gateway interface. */
export function createMessageBirdGateway({
  accessKey,
  reportUrl,
  timeoutMs = DEFAULT_TIMEOUT_MS,
}: MessageBirdGatewayConfig): SmsGateway {
  const client = messagebird.initClient(accessKey, timeoutMs);
  return {
    name: "messagebird",
    send: ({ from, to, body, reference }) =>
      new Promise((resolve, reject) => {
        // The SDK's own timeout only fires on an idle socket; this deadline also
        // covers a server that answers byte by byte.
        const deadline = setTimeout(
          () =>
            reject(
              new SmsSendError({
                retryable: true,
                outcomeUnknown: true,
                reason: `MessageBird did not answer within ${timeoutMs / 1000} s. Try again.`,
              }),
            ),
          timeoutMs,
        );
        const report = reference ? { reference, reportUrl } : {};
        client.messages.create({ originator: from, recipients: [to], body, ...report }, (error, message) => {
          clearTimeout(deadline);
          if (error) return reject(toSmsSendError(error));
          // A proxy or outage can answer 2xx JSON without the message; never report that as sent.
          if (!message?.id) {
            return reject(
              new SmsSendError({ retryable: true, reason: "MessageBird answered without a message id. Try again." }),
            );
          }
          resolve({ providerMessageId: message.id });
        });
      }),
  };
}

/**
 * The legacy API refuses Bird's newer keys too: an app.bird.com access key
 * (the Channels API, which Birdline does not speak) looks like a legacy one.
 */
export const LEGACY_KEY_REFUSED =
  "MessageBird refused MESSAGEBIRD_API_KEY. If the key came from app.bird.com it may be a Bird CRM access key (the Channels API), which Birdline does not support: create a Bird platform key (bk_…) in Bird under Settings → API keys and use that instead.";

/** Reads the balance, the cheapest call a legacy key can make: null when the key works, else one sentence naming the fix. */
export function checkMessageBirdKey(accessKey: string, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<string | null> {
  const client = messagebird.initClient(accessKey, timeoutMs);
  return new Promise((resolve) => {
    client.balance.read((error) => resolve(error ? toSmsSendError(error).reason : null));
  });
}

type ApiError = Error & {
  statusCode?: number;
  errors?: { code?: number; description?: string; parameter?: string | null }[];
};

/**
 * Turns what the SDK calls back with into a reason a person can act on.
 * API errors carry `statusCode` and `errors[]` (codes from MessageBird's REST
 * docs: 2 request not allowed / bad key, 9 missing or bad parameter, 10 invalid
 * parameter, 25 not enough balance, 99 internal error); anything without a
 * status is a network failure or timeout and worth retrying.
 */
export function toSmsSendError(error: unknown): SmsSendError {
  const { statusCode, errors } = (error ?? {}) as ApiError;
  const first = errors?.[0];
  const providerCode = first?.code === undefined ? null : String(first.code);
  const detail = first?.description ? ` (MessageBird: ${first.description})` : "";
  const fail = (retryable: boolean, reason: string) =>
    new SmsSendError({
      retryable,
      reason,
      providerCode,
      statusCode: statusCode ?? null,
      // The SDK does not tell a refused connection from one that dropped after sending.
      outcomeUnknown: statusCode === undefined,
      cause: error,
    });

  if (statusCode === undefined) {
    return fail(true, "Could not reach MessageBird. Try again in a moment.");
  }
  if (first?.code === 2 || statusCode === 401 || statusCode === 403) return fail(false, LEGACY_KEY_REFUSED);
  if (first?.code === 25) {
    return fail(false, "The MessageBird account has run out of balance: an administrator needs to top it up.");
  }
  if (
    (first?.code === 9 || first?.code === 10) &&
    /recipient/i.test(`${first.parameter ?? ""} ${first.description ?? ""}`)
  ) {
    return fail(false, `This phone number cannot receive SMS${detail}.`);
  }
  if (statusCode === 429 || statusCode >= 500 || first?.code === 99) {
    return fail(true, "MessageBird is having trouble right now. Try again in a minute.");
  }
  return fail(false, `MessageBird refused the SMS${detail}.`);
}
