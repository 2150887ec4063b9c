import { REPORTED_STATUSES, type DeliveryReport, type ReportedStatus } from "../conversations/provider-events";
import { SmsSendError, type SendFailureKind, type SmsGateway } from "./gateway";
import { isTimeout, neverSent, retryAfterMs } from "./http-failure";

type Connection = { accessKey: string; apiUrl: URL; timeoutMs: number };

export type MessageBirdGatewayConfig = {
  accessKey: string;
  /** The REST API's base URL: https://rest.messagebird.com, or a stand-in (tests, egress proxy). */
  apiUrl: URL;
  /** Per-message delivery-report URL; MessageBird only reports on messages that carry a `reference`. */
  reportUrl: string;
  timeoutMs?: number;
};

/** Enough for MessageBird on a bad day, short enough that a stuck call does not hold a worker slot. */
const DEFAULT_TIMEOUT_MS = 10_000;
const USER_AGENT = "Birdline (+https://github.com/birdline)";
/** MessageBird's list endpoint answers at most this many messages a page. */
const PAGE_SIZE = 20;
/** How far back a lookup pages: an unknown outcome is resolved within minutes, not days. */
const MAX_LOOKUP_PAGES = 25;

type ApiMessage = {
  id?: string;
  reference?: string | null;
  createdDatetime?: string;
  recipients?: {
    items?: { status?: string; statusDatetime?: string; statusReason?: string; statusErrorCode?: number | null }[];
  };
};

/**
 * MessageBird's REST API over `fetch`, not the `messagebird` SDK: the SDK has no
 * base-URL option (so no regional endpoint, egress proxy or fake provider),
 * cannot tell a refused connection from a timeout after the request left (the
 * difference between "retry" and "ask first"), and hides `Retry-After`.
 * docs/decisions/012-outbox.md.
 */
export function createMessageBirdGateway({
  accessKey,
  apiUrl,
  reportUrl,
  timeoutMs = DEFAULT_TIMEOUT_MS,
}: MessageBirdGatewayConfig): SmsGateway {
  const connection = { accessKey, apiUrl, timeoutMs };
  return {
    name: "messagebird",
    async send({ from, to, body, reference }) {
      const report = reference ? { reference, reportUrl } : {};
      const message = await call<ApiMessage | undefined>(connection, "POST", "/messages", {
        originator: from,
        recipients: [to],
        body,
        ...report,
      });
      // A proxy or outage can answer 2xx without the message; never report that as sent. It may have gone out.
      if (!message?.id) {
        throw new SmsSendError({ kind: "unknown", reason: "MessageBird answered without a message id." });
      }
      return { providerMessageId: message.id };
    },

    async findSent({ reference, since }) {
      // The documented list has no reference filter: page through recent outbound messages, newest first.
      for (let page = 0; page < MAX_LOOKUP_PAGES; page++) {
        const list = await call<{ items?: ApiMessage[] } | undefined>(
          connection,
          "GET",
          `/messages?direction=mt&limit=${PAGE_SIZE}&offset=${page * PAGE_SIZE}`,
        );
        const items = list?.items ?? [];
        const match = items.find((item) => item.reference === reference && item.id);
        if (match) return { providerMessageId: match.id! };
        const oldest = items.at(-1)?.createdDatetime;
        // A minute of slack for the two clocks.
        if (items.length < PAGE_SIZE || (oldest && Date.parse(oldest) < since.getTime() - 60_000)) return null;
      }
      return null;
    },

    async deliveryStatus(providerMessageId) {
      const message = await call<ApiMessage | undefined>(
        connection,
        "GET",
        `/messages/${encodeURIComponent(providerMessageId)}`,
      );
      const recipient = message?.recipients?.items?.[0];
      if (!recipient?.status || !isReportedStatus(recipient.status)) return null;
      return {
        providerMessageId,
        reference: message?.reference ?? undefined,
        status: recipient.status,
        statusAt: recipient.statusDatetime ? new Date(recipient.statusDatetime) : undefined,
        reason: recipient.statusReason,
        errorCode: recipient.statusErrorCode == null ? undefined : String(recipient.statusErrorCode),
      } satisfies DeliveryReport;
    },
  };
}

/** One call to the REST API; a refusal or a network failure becomes an {@link SmsSendError}. */
async function call<T>(
  { accessKey, apiUrl, timeoutMs }: Connection,
  method: "GET" | "POST",
  path: string,
  body?: object,
): Promise<T> {
  let response: Response;
  let text: string;
  try {
    // The deadline covers the body too: a server that answers byte by byte cannot hold a worker.
    const signal = AbortSignal.timeout(timeoutMs);
    response = await fetch(`${apiUrl.href.replace(/\/+$/, "")}${path}`, {
      method,
      headers: {
        Authorization: `AccessKey ${accessKey}`,
        Accept: "application/json",
        "User-Agent": USER_AGENT,
        ...(body && { "Content-Type": "application/json" }),
      },
      body: body && JSON.stringify(body),
      signal,
    });
    text = await response.text();
  } catch (error) {
    throw networkFailure(error, timeoutMs);
  }
  const json = parseJson(text);
  if (!response.ok) {
    throw toSmsSendError({
      statusCode: response.status,
      errors: (json as { errors?: ApiError["errors"] } | undefined)?.errors,
      retryAfterMs: retryAfterMs(response.headers.get("retry-after")),
    });
  }
  return json as T;
}

/**
 * The legacy API refuses Bird's newer keys too: an app.bird.com access key
 * (the Channels API, which Birdline does not speak) looks like a legacy one.
 */
export const LEGACY_KEY_REFUSED =
  "MessageBird refused MESSAGEBIRD_API_KEY. If the key came from app.bird.com it may be a Bird CRM access key (the Channels API), which Birdline does not support: create a Bird platform key (bk_…) in Bird under Settings → API keys and use that instead.";

/** Reads the balance, the cheapest call a legacy key can make: null when the key works, else one sentence naming the fix. */
export async function checkMessageBirdKey(accessKey: string, apiUrl: URL): Promise<string | null> {
  try {
    await call({ accessKey, apiUrl, timeoutMs: DEFAULT_TIMEOUT_MS }, "GET", "/balance");
    return null;
  } catch (error) {
    return error instanceof SmsSendError ? error.reason : String(error);
  }
}

const isReportedStatus = (status: string): status is ReportedStatus =>
  (REPORTED_STATUSES as readonly string[]).includes(status);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A load balancer's HTML error page: the status code says enough.
    return undefined;
  }
}

function networkFailure(error: unknown, timeoutMs: number): SmsSendError {
  if (isTimeout(error)) {
    return new SmsSendError({
      kind: "unknown",
      reason: `MessageBird did not answer within ${timeoutMs / 1000} s.`,
      cause: error,
    });
  }
  return new SmsSendError({
    kind: neverSent(error) ? "transient" : "unknown",
    reason: "MessageBird unreachable.",
    cause: error,
  });
}

type ApiError = {
  statusCode?: number;
  errors?: { code?: number; description?: string; parameter?: string | null }[];
  retryAfterMs?: number | null;
};

/**
 * Turns MessageBird's error envelope into a reason a person can act on. Codes
 * from MessageBird's REST docs: 2 request not allowed (bad key), 9 missing or
 * bad parameter, 10 invalid parameter, 25 not enough balance, 99 internal error.
 */
export function toSmsSendError({ statusCode, errors, retryAfterMs = null }: ApiError): SmsSendError {
  const first = errors?.[0];
  const providerCode = first?.code === undefined ? null : String(first.code);
  const detail = first?.description ? ` (MessageBird: ${first.description})` : "";
  const fail = (kind: SendFailureKind, reason: string) =>
    new SmsSendError({ kind, reason, providerCode, statusCode: statusCode ?? null, retryAfterMs });

  if (statusCode === undefined) return fail("transient", "MessageBird unreachable.");
  if (first?.code === 2 || statusCode === 401 || statusCode === 403) return fail("permanent", LEGACY_KEY_REFUSED);
  if (first?.code === 25) {
    return fail("permanent", "The MessageBird account has run out of balance: an administrator needs to top it up.");
  }
  if (
    (first?.code === 9 || first?.code === 10) &&
    /recipient/i.test(`${first.parameter ?? ""} ${first.description ?? ""}`)
  ) {
    return fail("permanent", `This phone number cannot receive SMS${detail}.`);
  }
  if (statusCode === 429) return fail("transient", "MessageBird asked us to slow down.");
  if (statusCode >= 500 || first?.code === 99) return fail("transient", "MessageBird is having trouble.");
  return fail("permanent", `MessageBird refused the SMS${detail}.`);
}
