import { delay, http, HttpResponse } from "msw";

/**
 * MSW handlers for MessageBird's REST API as the `messagebird` SDK calls it
 * (POST https://rest.messagebird.com/messages), plus our own webhooks as the simulator and
 * /dev/phone call them over HTTP.
 */

export const MESSAGES_URL = "https://rest.messagebird.com/messages";
export const APP_URL = "http://localhost:3000";

/** What the SDK put on the wire; `recipients` arrives as one comma-separated string. */
export type SentRequest = { authorization: string | null; body: Record<string, unknown> };

/** MessageBird accepts the message (201 with the message object, shortened to what Birdline reads). */
export function messageAccepted({ id = "e8077d803532c0b5937c639b60216938", onRequest }: { id?: string; onRequest?: (request: SentRequest) => void } = {}) {
  return http.post(MESSAGES_URL, async ({ request }) => {
    const body = (await request.json()) as Record<string, unknown>;
    onRequest?.({ authorization: request.headers.get("authorization"), body });
    return HttpResponse.json(
      {
        id,
        href: `${MESSAGES_URL}/${id}`,
        direction: "mt",
        type: "sms",
        originator: body.originator,
        body: body.body,
        reference: body.reference,
        reportUrl: body.reportUrl,
        createdDatetime: new Date().toISOString(),
        recipients: {
          totalCount: 1,
          totalSentCount: 1,
          totalDeliveredCount: 0,
          totalDeliveryFailedCount: 0,
          items: [{ recipient: Number(String(body.recipients).replace("+", "")), status: "sent", statusDatetime: new Date().toISOString() }],
        },
      },
      { status: 201 },
    );
  });
}

/** MessageBird's error envelope, as its REST docs show it. */
export function messageRefused(status: number, errors: { code: number; description: string; parameter: string | null }[]) {
  return http.post(MESSAGES_URL, () => HttpResponse.json({ errors }, { status }));
}

export const refusals = {
  badKey: () => messageRefused(401, [{ code: 2, description: "Request not allowed (incorrect access_key)", parameter: "access_key" }]),
  badRecipient: () => messageRefused(422, [{ code: 9, description: "no (correct) recipients found", parameter: "recipient" }]),
  noBalance: () => messageRefused(422, [{ code: 25, description: "Not enough balance", parameter: null }]),
  internalError: () => messageRefused(500, [{ code: 99, description: "Internal error", parameter: null }]),
};

/** A load balancer's 503 page: not JSON, so the SDK reports "response failed". */
export const messagebirdUnavailable = () =>
  http.post(MESSAGES_URL, () => new HttpResponse("<html>503 Service Unavailable</html>", { status: 503, headers: { "content-type": "text/html" } }));

export const messagebirdUnreachable = () => http.post(MESSAGES_URL, () => HttpResponse.error());

export const messagebirdHangs = () =>
  http.post(MESSAGES_URL, async () => {
    await delay("infinite");
    return HttpResponse.json({});
  });

/** Our own status webhook, as the simulator calls it; hands each report's query to `onReport`. */
export function statusWebhook(onReport: (query: URLSearchParams) => void) {
  return http.get(`${APP_URL}/webhooks/messagebird/status`, ({ request }) => {
    onReport(new URL(request.url).searchParams);
    return HttpResponse.json({ status: "updated" });
  });
}

/** Our own inbound webhook, as the /dev/phone handset calls it. */
export function inboundWebhook(answer: (request: { url: URL; body: Record<string, unknown> }) => Response | Promise<Response>) {
  return http.post(`${APP_URL}/webhooks/messagebird`, async ({ request }) =>
    answer({ url: new URL(request.url), body: (await request.json()) as Record<string, unknown> }),
  );
}
