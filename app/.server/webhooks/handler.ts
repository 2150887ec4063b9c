import { env } from "../platform/env";
import { applyDeliveryReport } from "../conversations/delivery-status";
import { receiveInbound } from "../conversations/inbound";
import type { DirectRoute } from "../platform/edge/listener";
import { log } from "../platform/log";
import { authenticateWebhook, type WebhookAuthConfig } from "./authenticate";
import type { Nonce } from "./nonces";
import { parseDeliveryReport, parseInboundSms, readFields, type Parsed } from "./parse";
import { readLimitedBody } from "./body";
import { WEBHOOK_PATHS } from "~/lib/webhook-paths";
import { answerBirdWebhook } from "./bird";
import { answer, refusals, type WebhookAnswer, type WebhookOptions, type WebhookRequest } from "./answer";

type Fields = Record<string, unknown>;
type Outcome = { status: string; id?: string };
type Webhook<T> = { parse(fields: Fields): Parsed<T>; apply(value: T, nonce?: Nonce): Promise<Outcome> };

const WEBHOOKS = {
  inbound: { parse: parseInboundSms, apply: receiveInbound },
  status: { parse: parseDeliveryReport, apply: applyDeliveryReport },
};

export type WebhookKind = keyof typeof WEBHOOKS;

const envConfig: WebhookAuthConfig = {
  secret: env.messagebird.webhookSecret,
  signingKey: env.messagebird.signingKey,
  appUrl: env.appUrl,
};

/**
 * The webhook routes as the edge answers them (the same paths as app/routes.ts):
 * the body is already read and limited there, so nothing is parsed twice.
 */
export const webhookRoutes: Readonly<Record<string, DirectRoute>> = {
  [WEBHOOK_PATHS.inbound]: ({ clientIp, ...request }) => answerWebhook(request, "inbound", { sourceIp: clientIp }),
  [WEBHOOK_PATHS.status]: ({ clientIp, ...request }) => answerWebhook(request, "status", { sourceIp: clientIp }),
  [WEBHOOK_PATHS.bird]: ({ clientIp, ...request }) => answerBirdWebhook(request, { sourceIp: clientIp }),
};

/** The Fetch way in (the route modules); the edge calls `answerWebhook` with the body it has read already. */
export async function handleWebhook(
  request: Request,
  kind: WebhookKind | "bird",
  options: WebhookOptions = {},
): Promise<Response> {
  const url = new URL(request.url);
  const read = await readLimitedBody(request);
  const received = (bytes: Uint8Array) => ({ method: request.method, url, headers: request.headers, body: bytes });
  const { status, body } = read.ok
    ? kind === "bird"
      ? await answerBirdWebhook(received(read.bytes), options)
      : await answerWebhook(received(read.bytes), kind, options)
    : await refusals(url, options).refuse(
        read.reason === "too large" ? 413 : 400,
        read.reason === "too large" ? "body larger than 64 KiB" : "body: could not be read",
      );
  return Response.json(body, { status, headers: { "Cache-Control": "no-store" } });
}

/**
 * The one path every MessageBird webhook takes: authentication, parsing, then
 * one domain call (the body limit is enforced while reading). MessageBird
 * retries anything but a 2xx, so a 2xx is sent only after commit, storage
 * trouble answers 503, and everything refused is recorded for admins.
 */
export async function answerWebhook(
  { method, url, headers, body }: WebhookRequest,
  kind: WebhookKind,
  options: WebhookOptions = {},
): Promise<WebhookAnswer> {
  const config = options.auth ?? envConfig;
  const { record, refuse } = refusals(url, options, body);

  if (!config.secret && !config.signingKey) return refuse(503, "webhook not configured", false);
  if (method !== "GET" && method !== "POST") return refuse(405, `method ${method} not allowed`, false);

  const auth = await authenticateWebhook({ url, headers, body }, config);
  if (!auth.ok) return refuse(401, auth.reason);

  const fields = readFields({ method, url, contentType: headers.get("content-type"), body });
  if (!fields.ok) return refuse(fields.status, fields.reason);
  const webhook = WEBHOOKS[kind] as Webhook<unknown>;
  const parsed = webhook.parse(fields.value);
  if (!parsed.ok) return refuse(parsed.status, parsed.reason);

  let outcome: Outcome;
  try {
    outcome = await webhook.apply(parsed.value, auth.nonce);
  } catch (error) {
    log.error("webhook storage unavailable", { route: url.pathname, error });
    return answer(503, { error: "storage unavailable" });
  }
  // Known only here: the nonce is recorded in the transaction that stores the message, so a crash cannot burn it.
  if (outcome.status === "replayed") return refuse(401, "replayed signature");
  // Answered 200 so MessageBird stops retrying a report we can never apply, but kept for admins.
  if (outcome.status === "ignored") await record(200, "delivery report for an unknown message");
  return answer(200, { status: outcome.status, id: outcome.id });
}
