import { applyDeliveryReport } from "../conversations/delivery-status";
import { receiveInbound } from "../conversations/inbound";
import { recordSuppression } from "../conversations/suppressions";
import { log } from "../platform/log";
import { birdWebhookSecrets, newerBirdWebhookSecrets } from "./bird-secrets";
import { parseBirdEvent, type BirdEvent } from "./bird-events";
import { answer, refusals, type WebhookAnswer, type WebhookOptions, type WebhookRequest } from "./answer";
import { readFields } from "./parse";
import { verifyStandardWebhook } from "./standard-webhooks";

type Outcome = { status: string; id?: string };

/**
 * `POST /webhooks/bird`: every Bird platform event, verified per Standard
 * Webhooks on the raw body, then one domain call. The same rules as the
 * MessageBird routes: a 2xx only after commit, 503 when storage is down,
 * everything refused recorded for admins. No nonce: Bird's replays carry a
 * new webhook-id, so each event is made idempotent on its SMS instead (the
 * inbound message on `sms_id`, a status by only moving forward), and a
 * replay answers 2xx, as Bird needs to keep the endpoint active.
 */
export async function answerBirdWebhook(
  { method, url, headers, body }: WebhookRequest,
  options: WebhookOptions = {},
): Promise<WebhookAnswer> {
  const { record, refuse } = refusals(url, options, body);
  if (method !== "POST") return refuse(405, `method ${method} not allowed`, false);

  let secrets: string[];
  try {
    secrets = await birdWebhookSecrets();
  } catch (error) {
    log.error("webhook storage unavailable", { route: url.pathname, error });
    return answer(503, { error: "storage unavailable" });
  }
  if (secrets.length === 0) return refuse(503, "webhook not configured: register it on /team/provider", false);
  let verified = verifyStandardWebhook(secrets, headers, body);
  if (!verified.ok && verified.reason.includes("no v1 signature matches")) {
    // Perhaps registered a moment ago on another instance.
    const newer = await newerBirdWebhookSecrets().catch(() => null);
    if (newer) verified = verifyStandardWebhook(newer, headers, body);
  }
  if (!verified.ok) return refuse(401, verified.reason);

  const fields = readFields({ method, url, contentType: headers.get("content-type"), body });
  if (!fields.ok) return refuse(fields.status, fields.reason);
  const event = parseBirdEvent(fields.value);
  if (!event.ok) return refuse(event.status, event.reason);

  let outcome: Outcome;
  try {
    outcome = await apply(event.value);
  } catch (error) {
    log.error("webhook storage unavailable", { route: url.pathname, error });
    return answer(503, { error: "storage unavailable" });
  }
  // Bird reports on every SMS of the workspace: only a status carrying our id that we cannot find is worth an admin's look.
  const ours = event.value.kind === "status" && event.value.report.reference !== undefined;
  if (outcome.status === "ignored" && (ours || event.value.kind === "other")) {
    await record(
      200,
      event.value.kind === "other" ? `event ${event.value.type} not handled` : "status for an unknown message",
    );
  }
  return answer(200, { status: outcome.status, id: outcome.id });
}

function apply(event: BirdEvent): Promise<Outcome> {
  switch (event.kind) {
    case "inbound":
      return receiveInbound(event.sms);
    case "status":
      return applyDeliveryReport(event.report);
    case "suppression":
      return recordSuppression(event);
    case "other":
      return Promise.resolve({ status: "ignored" });
  }
}
