import { recordRejection } from "./rejections";
import type { WebhookAuthConfig } from "./authenticate";

/** How every webhook route answers and records what it refuses, MessageBird's and Bird's alike. */

export type WebhookOptions = {
  /** The client as server.ts saw it (socket, or X-Forwarded-For behind a trusted proxy); only for the rejection log. */
  sourceIp?: string;
  auth?: WebhookAuthConfig;
};

/** A webhook as it reached us, already read whole: the edge answers these without React Router. */
export type WebhookRequest = { method: string; url: URL; headers: Headers; body: Uint8Array };
export type WebhookAnswer = { status: number; body: object };

export const answer = (status: number, body: object): WebhookAnswer => ({ status, body });

/** Everything refused (and reports we cannot apply) is recorded for admins, with the body's excerpt when there is one. */
export function refusals(url: URL, options: WebhookOptions, body: Uint8Array = new Uint8Array()) {
  const record = (status: number, reason: string, withBody = true) =>
    recordRejection({
      route: url.pathname,
      status,
      reason,
      sourceIp: options.sourceIp ?? null,
      url,
      body: withBody ? body : new Uint8Array(),
    });
  return {
    record,
    async refuse(status: number, reason: string, withBody = true): Promise<WebhookAnswer> {
      await record(status, reason, withBody);
      return answer(status, { error: reason });
    },
  };
}
