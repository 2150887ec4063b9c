/**
 * Where MessageBird calls us. The routes, the edge's body limits, the URLs we
 * hand to MessageBird and the simulator, and the admin page all use these.
 */
export const WEBHOOK_PATHS = {
  inbound: "/webhooks/messagebird",
  status: "/webhooks/messagebird/status",
} as const;

export type WebhookPath = (typeof WEBHOOK_PATHS)[keyof typeof WEBHOOK_PATHS];
