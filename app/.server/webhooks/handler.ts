import { env } from "../platform/env";
import { applyDeliveryReport } from "../conversations/delivery-status";
import { receiveInbound } from "../conversations/inbound";
import { log } from "../platform/log";
import { authenticateWebhook, type WebhookAuthConfig } from "./authenticate";
import type { Nonce } from "./nonces";
import { parseDeliveryReport, parseInboundSms, readFields, type Parsed } from "./parse";
import { recordRejection } from "./rejections";
import { readLimitedBody } from "./body";

type Fields = Record<string, unknown>;
type Outcome = { status: string; id?: string };
type Webhook<T> = { parse(fields: Fields): Parsed<T>; apply(value: T, nonce?: Nonce): Promise<Outcome> };

const WEBHOOKS = {
  inbound: { parse: parseInboundSms, apply: receiveInbound },
  status: { parse: parseDeliveryReport, apply: applyDeliveryReport },
};

export type WebhookKind = keyof typeof WEBHOOKS;

export type WebhookOptions = {
  /** The client as server.ts saw it (socket, or X-Forwarded-For behind a trusted proxy); only for the rejection log. */
  sourceIp?: string;
  auth?: WebhookAuthConfig;
};

const envConfig: WebhookAuthConfig = {
  secret: env.messagebird.webhookSecret,
  signingKey: env.messagebird.signingKey,
  appUrl: env.appUrl,
};

const reply = (status: number, body: object) =>
  Response.json(body, { status, headers: { "Cache-Control": "no-store" } });

/**
 * The one path every MessageBird webhook takes: limits, authentication,
 * parsing, then one domain call. MessageBird retries anything but a 2xx, so a
 * 2xx is sent only after commit, storage trouble answers 503, and everything
 * refused is recorded for admins.
 */
export async function handleWebhook(
  request: Request,
  kind: WebhookKind,
  { sourceIp, auth: config = envConfig }: WebhookOptions = {},
): Promise<Response> {
  const url = new URL(request.url);
  const record = (status: number, reason: string, body: Uint8Array = new Uint8Array()) =>
    recordRejection({ route: url.pathname, status, reason, sourceIp: sourceIp ?? null, url, body });
  const refuse = async (status: number, reason: string, body?: Uint8Array) => {
    await record(status, reason, body);
    return reply(status, { error: reason });
  };

  if (!config.secret && !config.signingKey) return refuse(503, "webhook not configured");
  if (request.method !== "GET" && request.method !== "POST") return refuse(405, `method ${request.method} not allowed`);
  const read = await readLimitedBody(request);
  if (!read.ok)
    return read.reason === "too large"
      ? refuse(413, "body larger than 64 KiB")
      : refuse(400, "body: could not be read");
  const body = read.bytes;

  const auth = await authenticateWebhook({ url, headers: request.headers, body }, config);
  if (!auth.ok) return refuse(401, auth.reason, body);

  const fields = readFields({ method: request.method, url, contentType: request.headers.get("content-type"), body });
  if (!fields.ok) return refuse(fields.status, fields.reason, body);
  const webhook = WEBHOOKS[kind] as Webhook<unknown>;
  const parsed = webhook.parse(fields.value);
  if (!parsed.ok) return refuse(parsed.status, parsed.reason, body);

  let outcome: Outcome;
  try {
    outcome = await webhook.apply(parsed.value, auth.nonce);
  } catch (error) {
    return unavailable(url, error);
  }
  // Known only here: the nonce is recorded in the transaction that stores the message, so a crash cannot burn it.
  if (outcome.status === "replayed") return refuse(401, "replayed signature", body);
  // Answered 200 so MessageBird stops retrying a report we can never apply, but kept for admins.
  if (outcome.status === "ignored") await record(200, "delivery report for an unknown message", body);
  return reply(200, { status: outcome.status, id: outcome.id });
}

function unavailable(url: URL, error: unknown): Response {
  log.error("webhook storage unavailable", { route: url.pathname, error });
  return reply(503, { error: "storage unavailable" });
}
