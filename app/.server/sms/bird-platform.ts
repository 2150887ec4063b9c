import { randomUUID } from "node:crypto";
import { SmsSendError, type SendFailureKind, type SmsGateway } from "./gateway";
import { isTimeout, neverSent, retryAfterMs } from "./http-failure";
import { birdMessageReport } from "../webhooks/bird-events";

/**
 * The Bird platform API (`bk_` keys, https://<region>.platform.bird.com/v1)
 * with plain fetch: the five calls Birdline makes, and its error envelope
 * turned into errors people can act on. No SDK: the official one is pre-1.0
 * and breaks often (docs/decisions/008-bird-platform-api.md).
 */

export type SmsCategory = "transactional" | "marketing" | "authentication" | "service";

export type BirdPlatformConfig = {
  apiKey: string;
  /** The platform's base URL, ending in /v1; read per request (the simulated platform's port is known only after listen). */
  baseUrl: () => string;
  /** Replies are conversations (`service`); codes are `authentication`, which Bird redacts on reads. */
  categories: { reply: SmsCategory; code: SmsCategory };
  timeoutMs?: number;
};

/** Enough for Bird on a bad day, short enough that a reply form does not hang. */
const DEFAULT_TIMEOUT_MS = 10_000;

/** Bird asks every client to say who it is. */
export const USER_AGENT = "Birdline (+https://github.com/birdline)";

/** Every event Birdline handles; registered on its webhook. */
export const BIRD_EVENTS = [
  "sms.received",
  "sms.accepted",
  "sms.sent",
  "sms.delivered",
  "sms.undelivered",
  "sms.failed",
  "sms.rejected",
  "sms.expired",
  "sms_suppression.created",
] as const;

/** Bird's error envelope, `{error: {...}}` (the SDKs also accept the bare object). */
export type BirdError = { status: number; code: string | null; name: string | null; message: string | null };

/** A call that got no answer: `sent` says whether the request may have reached Bird. */
export type BirdNoAnswer = { status: null; sent: boolean; timedOut: boolean };

export class BirdRequestError extends Error {
  constructor(
    readonly failure: BirdError | BirdNoAnswer,
    readonly retryAfterMs: number | null = null,
    cause?: unknown,
  ) {
    super(failure.status === null ? "Bird did not answer" : `Bird answered ${failure.status}`, { cause });
    this.name = "BirdRequestError";
  }
}

export type BirdWorkspace = { id: string; name: string };
export type BirdNumber = { id: string; number: string; name: string | null; country: string | null };
export type BirdWebhook = { id: string; url: string; events: string[]; secret: string };

type Json = Record<string, unknown>;

export function createBirdPlatformClient({
  apiKey,
  baseUrl,
  timeoutMs = DEFAULT_TIMEOUT_MS,
}: Omit<BirdPlatformConfig, "categories">) {
  async function request(
    method: "GET" | "POST",
    path: string,
    { body, idempotencyKey }: { body?: Json; idempotencyKey?: string } = {},
  ): Promise<Json> {
    const headers: Record<string, string> = {
      Authorization: `Bearer ${apiKey}`,
      Accept: "application/json",
      "User-Agent": USER_AGENT,
    };
    if (body) headers["Content-Type"] = "application/json";
    if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
    let response: Response;
    try {
      response = await fetch(`${baseUrl()}${path}`, {
        method,
        headers,
        body: body && JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new BirdRequestError(noAnswer(error), null, error);
    }
    let json: unknown = null;
    try {
      json = await response.json();
    } catch (error) {
      // Headers came and the body did not: the request certainly arrived.
      if (isTimeout(error)) throw new BirdRequestError({ status: null, sent: true, timedOut: true }, null, error);
    }
    if (!response.ok) {
      throw new BirdRequestError(errorOf(response.status, json), retryAfterMs(response.headers.get("retry-after")));
    }
    // A 2xx we cannot read (a proxy's page): Bird may well have acted on it.
    if (typeof json !== "object" || json === null)
      throw new BirdRequestError({ status: null, sent: true, timedOut: false });
    return json as Json;
  }

  return {
    request,
    async workspace(): Promise<BirdWorkspace> {
      const json = await request("GET", "/workspace");
      return { id: String(json.id ?? ""), name: String(json.name ?? json.id ?? "") };
    },
    /** The workspace's SMS-capable numbers, every page. */
    async numbers(): Promise<BirdNumber[]> {
      const found: BirdNumber[] = [];
      let cursor: string | undefined;
      // Bounded: a workspace with more than 2,000 numbers is not one team's inbox.
      for (let page = 0; page < 20; page++) {
        const query = new URLSearchParams({ capabilities: "sms", limit: "100" });
        if (cursor) query.set("starting_after", cursor);
        const json = await request("GET", `/numbers?${query}`);
        for (const item of Array.isArray(json.data) ? (json.data as Json[]) : []) {
          if (typeof item.number !== "string") continue;
          found.push({
            id: String(item.id ?? item.number),
            number: item.number,
            name: typeof item.name === "string" && item.name ? item.name : null,
            country: typeof item.country_code === "string" ? item.country_code : null,
          });
        }
        cursor = typeof json.next_cursor === "string" && json.next_cursor ? json.next_cursor : undefined;
        if (!cursor) break;
      }
      return found;
    },
    async createWebhook(url: string): Promise<BirdWebhook> {
      const json = await request("POST", "/webhooks", {
        body: { url, description: "Birdline", events: [...BIRD_EVENTS] },
        idempotencyKey: randomUUID(),
      });
      if (typeof json.secret !== "string" || typeof json.id !== "string") {
        throw new BirdRequestError({ status: 502, code: null, name: null, message: "the answer had no secret" });
      }
      return {
        id: json.id,
        url: String(json.url ?? url),
        events: Array.isArray(json.events) ? json.events.map(String) : [],
        secret: json.secret,
      };
    },
  };
}

export type BirdPlatformClient = ReturnType<typeof createBirdPlatformClient>;

/** The Bird platform behind the gateway interface. */
export function createBirdGateway(config: BirdPlatformConfig): SmsGateway {
  const client = createBirdPlatformClient(config);
  /** A platform call whose failure is told in the gateway's terms, the same for every call. */
  const call = (...args: Parameters<typeof client.request>) =>
    client.request(...args).catch((error: unknown) => {
      throw error instanceof BirdRequestError ? toSmsSendError(error) : error;
    });
  return {
    name: "bird",
    async send({ from, to, body, reference }) {
      // Only replies carry our message id; a verification code has none to repeat.
      const id = reference ?? randomUUID();
      const json = await call("POST", "/sms/messages", {
        body: {
          to,
          from,
          text: body,
          category: reference ? config.categories.reply : config.categories.code,
          metadata: { birdline_message_id: id },
        },
        // A retry of the same message replays Bird's first answer instead of sending twice.
        idempotencyKey: id,
      });
      if (typeof json.id !== "string" || !json.id) {
        throw new SmsSendError({ kind: "unknown", reason: "Bird answered without a message id." });
      }
      return { providerMessageId: json.id };
    },

    async findSent({ to, reference, since }) {
      // The Idempotency-Key replays a send for about 3 hours; the retry window is longer, so look it up.
      const query = new URLSearchParams({
        direction: "outbound",
        to,
        created_after: new Date(since.getTime() - 60_000).toISOString(),
        limit: "100",
      });
      const json = await call("GET", `/sms/messages?${query}`);
      const items = (Array.isArray(json.data) ? json.data : Array.isArray(json.results) ? json.results : []) as Json[];
      const match = items.find(
        (item) => (item.metadata as Json | null | undefined)?.birdline_message_id === reference && item.id,
      );
      return match ? { providerMessageId: String(match.id) } : null;
    },

    async deliveryStatus(providerMessageId) {
      return birdMessageReport(await call("GET", `/sms/messages/${encodeURIComponent(providerMessageId)}`));
    },
  };
}

/** The Bird error codes we can explain; the rest show Bird's own message. */
const SENDER_REFUSED = "Bird does not let this number send here: an administrator needs to check it in Bird.";
const SEND_REFUSALS: Record<string, string> = {
  SMSInvalidRecipient: "This phone number cannot receive SMS.",
  SMSNoEligibleSender: SENDER_REFUSED,
  SMSSenderReserved: SENDER_REFUSED,
  SMSDestinationNotEnabled:
    "The Bird account cannot send SMS to this country yet: an administrator needs to enable it in Bird.",
};

/**
 * Turns a failed platform call into a reason a person can act on, with the
 * retry kind the outbox needs: 408/429/5xx and refused connections are
 * transient (the SDKs retry exactly these), a timeout after the request left
 * is unknown, everything else is permanent. 409 is an idempotent replay still
 * running or a changed body: never resent.
 */
export function toSmsSendError(error: BirdRequestError): SmsSendError {
  const { failure, retryAfterMs } = error;
  if (failure.status === null) {
    return new SmsSendError({
      kind: failure.sent ? "unknown" : "transient",
      reason: failure.timedOut
        ? "Bird did not answer in time."
        : failure.sent
          ? "Bird's answer was cut off, so the SMS may have been sent."
          : "Bird unreachable.",
      cause: error,
    });
  }
  const { status, code, name, message } = failure;
  const fail = (kind: SendFailureKind, reason: string) =>
    new SmsSendError({ kind, reason, providerCode: code ?? name, statusCode: status, retryAfterMs, cause: error });
  const detail = message ? ` (Bird: ${message})` : "";

  if (status === 401 || status === 403 || status === 421) return fail("permanent", keyProblem(failure));
  if (status === 402)
    return fail("permanent", "The Bird account has run out of balance: an administrator needs to top it up.");
  if (status === 408 || status === 429 || status >= 500) return fail("transient", "Bird is having trouble.");
  if (status === 409) return fail("permanent", `Bird is already handling this message${detail}.`);
  const known = name ? SEND_REFUSALS[name] : undefined;
  if (known) return fail("permanent", known);
  return fail("permanent", `Bird refused the SMS${detail}.`);
}

/**
 * One sentence naming the fix for a key Bird will not take, for boot, the
 * setup page and a failed send alike. Never quotes the key.
 */
export function keyProblem({ status, message }: BirdError): string {
  if (status === 421) {
    return `Bird says MESSAGEBIRD_API_KEY belongs to another region${message ? ` (${message})` : ""}: use the key's own region (bk_<region>_…) and remove BIRD_API_URL if it points elsewhere.`;
  }
  if (status === 403) {
    return "Bird accepted MESSAGEBIRD_API_KEY but it lacks a permission: create a key with SMS, numbers, webhooks and workspace access in Bird (Settings → API keys).";
  }
  return "Bird refused MESSAGEBIRD_API_KEY (unknown, mistyped or revoked): create a new key in Bird (Settings → API keys) and set it.";
}

function errorOf(status: number, json: unknown): BirdError {
  const envelope = (json ?? {}) as Json;
  const error = (typeof envelope.error === "object" && envelope.error ? envelope.error : envelope) as Json;
  const text = (value: unknown, max: number) => (typeof value === "string" && value ? value.slice(0, max) : null);
  return { status, code: text(error.code, 32), name: text(error.name, 64), message: text(error.message, 300) };
}

function noAnswer(error: unknown): BirdNoAnswer {
  return { status: null, sent: !neverSent(error), timedOut: isTimeout(error) };
}
