import { delay, http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";

/**
 * MessageBird's REST API as the `messagebird` SDK calls it, plus our own
 * webhooks as the simulator and /dev/phone call them over HTTP: one MSW server
 * that records every request and answers like the real thing unless a test
 * says how to answer the next one.
 */

export const MESSAGES_URL = "https://rest.messagebird.com/messages";
export const BALANCE_URL = "https://rest.messagebird.com/balance";
export const APP_URL = "http://localhost:3000";

/** What the SDK put on the wire; `recipients` arrives as one comma-separated string. */
export type SentRequest = { authorization: string | null; body: Record<string, unknown> };
/** What /dev/phone's handset posted to our inbound webhook. */
export type InboundRequest = { url: URL; body: Record<string, unknown> };

type ProviderMessage = ReturnType<typeof messageObject>;

/** How MessageBird answers one send; it gets the request's JSON body, and keeps what it accepts. */
export type SendAnswer = (
  body: Record<string, unknown>,
  keep: (message: ProviderMessage) => void,
) => Response | Promise<Response>;

/** The message object MessageBird answers and lists, shortened to what Birdline reads. */
export const messageObject = (id: string, body: Record<string, unknown>, status = "sent") => ({
  id,
  href: `${MESSAGES_URL}/${id}`,
  direction: "mt",
  type: "sms",
  originator: body.originator,
  body: body.body,
  reference: body.reference ?? null,
  reportUrl: body.reportUrl ?? null,
  createdDatetime: new Date().toISOString(),
  recipients: {
    totalCount: 1,
    totalSentCount: 1,
    totalDeliveredCount: status === "delivered" ? 1 : 0,
    totalDeliveryFailedCount: 0,
    items: [
      {
        recipient: Number(String(body.recipients).replace("+", "")),
        status,
        statusDatetime: new Date().toISOString(),
      },
    ],
  },
});

/** MessageBird accepts the message (201 with the message object). */
export const accepted =
  ({ id = `mb-${crypto.randomUUID()}` }: { id?: string } = {}): SendAnswer =>
  (body, keep) => {
    const message = messageObject(id, body);
    keep(message);
    return HttpResponse.json(message, { status: 201 });
  };

/** MessageBird accepts the message, but the connection drops before its answer arrives. */
export const acceptedAnswerLost: SendAnswer = (body, keep) => {
  keep(messageObject(`mb-${crypto.randomUUID()}`, body));
  return HttpResponse.error();
};

/** MessageBird's error envelope, as its REST docs show it. */
const refused =
  (status: number, errors: { code: number; description: string; parameter: string | null }[]): SendAnswer =>
  () =>
    HttpResponse.json({ errors }, { status });

export const refusals = {
  badKey: refused(401, [
    { code: 2, description: "Request not allowed (incorrect access_key)", parameter: "access_key" },
  ]),
  badRecipient: refused(422, [{ code: 9, description: "no (correct) recipients found", parameter: "recipient" }]),
  noBalance: refused(422, [{ code: 25, description: "Not enough balance", parameter: null }]),
  internalError: refused(500, [{ code: 99, description: "Internal error", parameter: null }]),
  /** A load balancer's 503 page: not JSON, so the SDK reports "response failed". */
  unavailable: () =>
    new HttpResponse("<html>503 Service Unavailable</html>", { status: 503, headers: { "content-type": "text/html" } }),
  /** The connection drops: no HTTP answer at all. */
  unreachable: () => HttpResponse.error(),
  /** MessageBird never answers. */
  hangs: async () => {
    await delay("infinite");
    return HttpResponse.json({});
  },
} satisfies Record<string, SendAnswer>;

/**
 * Starts the shared MSW server for this test file (listen before all, reset
 * after each, close after all); unhandled requests fail the test.
 */
export function useMessageBirdMock() {
  const sent: SentRequest[] = [];
  const reports: URLSearchParams[] = [];
  const inbound: InboundRequest[] = [];
  const next = {
    send: [] as SendAnswer[],
    report: [] as (() => Response)[],
    inbound: [] as (() => Response)[],
    balance: [] as SendAnswer[],
  };

  /** What MessageBird holds, newest first: every message it accepted, as its list and lookup answer them. */
  const stored: ProviderMessage[] = [];
  const server = setupServer(
    http.post(MESSAGES_URL, async ({ request }) => {
      const body = (await request.json()) as Record<string, unknown>;
      sent.push({ authorization: request.headers.get("authorization"), body });
      return (next.send.shift() ?? accepted())(body, (message) => stored.unshift(message));
    }),
    http.get(MESSAGES_URL, ({ request }) => {
      const query = new URL(request.url).searchParams;
      const offset = Number(query.get("offset") ?? 0);
      const limit = Number(query.get("limit") ?? 20);
      return HttpResponse.json({
        offset,
        limit,
        totalCount: stored.length,
        items: stored.slice(offset, offset + limit),
      });
    }),
    http.get(`${MESSAGES_URL}/:id`, ({ params }) => {
      const found = stored.find((message) => message.id === params.id);
      return found
        ? HttpResponse.json(found)
        : HttpResponse.json({ errors: [{ code: 20, description: "message not found" }] }, { status: 404 });
    }),
    // The cheapest call a key can make: how the setup page and boot check a legacy key.
    http.get(BALANCE_URL, () =>
      (next.balance.shift() ?? (() => HttpResponse.json({ payment: "prepaid", type: "euros", amount: 10 })))(
        {},
        () => {},
      ),
    ),
    // Our own status webhook, as the simulator calls it.
    http.get(`${APP_URL}/webhooks/messagebird/status`, ({ request }) => {
      reports.push(new URL(request.url).searchParams);
      return next.report.shift()?.() ?? HttpResponse.json({ status: "updated" });
    }),
    // Our own inbound webhook, as the /dev/phone handset calls it.
    http.post(`${APP_URL}/webhooks/messagebird`, async ({ request }) => {
      inbound.push({ url: new URL(request.url), body: (await request.json()) as Record<string, unknown> });
      return next.inbound.shift()?.() ?? HttpResponse.json({ status: "stored", id: crypto.randomUUID() });
    }),
  );
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => {
    for (const list of [sent, reports, inbound, stored, next.send, next.report, next.inbound, next.balance])
      list.length = 0;
  });
  afterAll(() => server.close());

  return {
    /** Every SMS MessageBird was asked to send, oldest first. */
    sent,
    /** What MessageBird holds, newest first (add some to make a lookup page further). */
    stored,
    /** Every delivery report posted to our status webhook. */
    reports,
    /** Every SMS the handset posted to our inbound webhook. */
    inbound,
    /** How MessageBird answers the next send (queue several for several sends); later ones are accepted. */
    answerNextSend: (...answers: SendAnswer[]) => next.send.push(...answers),
    /** How MessageBird answers the next balance read (a key check); later ones succeed. */
    answerNextBalance: (...answers: SendAnswer[]) => next.balance.push(...answers),
    /** How our status webhook answers the next delivery report; later ones are "updated". */
    answerNextReport: (...answers: (() => Response)[]) => next.report.push(...answers),
    /** How our inbound webhook answers the handset's next SMS; later ones are "stored". */
    answerNextInbound: (...answers: (() => Response)[]) => next.inbound.push(...answers),
  };
}
