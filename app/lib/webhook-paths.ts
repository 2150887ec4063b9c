/**
 * Where providers call us. The routes, the edge's body limits, the URLs we
 * hand to MessageBird, Bird and the simulator, and the admin pages all use these.
 */
export const WEBHOOK_PATHS = {
  inbound: "/webhooks/messagebird",
  status: "/webhooks/messagebird/status",
  /** The Bird platform's one endpoint: inbound SMS, statuses and suppressions alike. */
  bird: "/webhooks/bird",
} as const;

export type WebhookPath = (typeof WEBHOOK_PATHS)[keyof typeof WEBHOOK_PATHS];

/** The simulator's stand-in for https://<region>.platform.bird.com/v1 (SIMULATOR_API=bird); JSON, like the webhooks. */
export const SIMULATED_BIRD_API = "/dev/bird/v1";
