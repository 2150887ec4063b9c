import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";

/**
 * The Bird platform API (eu1 region) as our fetch gateway and setup page call
 * it: one MSW server that records every request and answers like the real
 * thing unless a test says how to answer the next one.
 */

export const BIRD_API = "https://eu1.platform.bird.com/v1";
export const BIRD_KEY = "bk_eu1_testkeypayload0123456789abcdef";

export type BirdRequest = { method: string; path: string; headers: Headers; body: Record<string, unknown> | null };
export type BirdAnswer = (request: BirdRequest) => Response | Promise<Response>;

/** Bird's error envelope. */
export const birdError = (status: number, name: string, message: string, headers: Record<string, string> = {}) =>
  HttpResponse.json(
    { error: { type: "invalid_request_error", code: "E12000", name, message, request_id: "req_test" } },
    { status, headers },
  );

const accepted: BirdAnswer = ({ body }) =>
  HttpResponse.json(
    { id: `sms_${crypto.randomUUID().replaceAll("-", "")}`, status: "accepted", ...body },
    { status: 202 },
  );

const DEFAULTS: Record<string, BirdAnswer> = {
  "POST /sms/messages": accepted,
  "GET /workspace": () => HttpResponse.json({ id: "ws_test", name: "Acme Support", organization_id: "org_test" }),
  "GET /numbers": () =>
    HttpResponse.json({
      data: [
        { id: "nda_1", number: "+31970102030", name: "Support NL", country_code: "NL", capabilities: ["sms"] },
        { id: "nda_2", number: "+31970102031", name: null, country_code: "NL", capabilities: ["sms"] },
      ],
      next_cursor: null,
    }),
  "POST /webhooks": ({ body }) =>
    HttpResponse.json(
      { id: "whk_test1", ...body, status: "active", secret: `whsec_${Buffer.from("a".repeat(32)).toString("base64")}` },
      { status: 201 },
    ),
};

export function useBirdMock() {
  const requests: BirdRequest[] = [];
  const next: BirdAnswer[] = [];
  const server = setupServer(
    http.all(`${BIRD_API}/*`, async ({ request }) => {
      const url = new URL(request.url);
      const path = url.pathname.replace(/^\/v1/, "");
      const text = await request.text();
      const recorded = {
        method: request.method,
        path: `${path}${url.search}`,
        headers: request.headers,
        body: text ? JSON.parse(text) : null,
      };
      requests.push(recorded);
      const answer = next.shift() ?? DEFAULTS[`${request.method} ${path}`];
      return answer ? answer(recorded) : birdError(404, "NotFound", "no such route");
    }),
  );
  beforeAll(() => server.listen({ onUnhandledRequest: "bypass" }));
  afterEach(() => {
    requests.length = 0;
    next.length = 0;
  });
  afterAll(() => server.close());
  return {
    requests,
    /** How Bird answers the next requests, in order; later ones get the defaults. */
    answerNext: (...answers: BirdAnswer[]) => next.push(...answers),
  };
}
