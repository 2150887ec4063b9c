import { createHmac } from "node:crypto";
import { env } from "../platform/env";
import { internalUrl } from "../platform/internal-origin";
import { SIMULATED_BIRD_API } from "~/lib/webhook-paths";
import { createBirdGateway, createBirdPlatformClient, type BirdPlatformClient } from "./bird-platform";
import type { SmsGateway } from "./gateway";

/**
 * The Bird platform this process talks to: the real one for a `bk_` key
 * (BIRD_API_URL overriding the region's host), or the simulator's stand-in
 * on this server when SIMULATOR_API=bird. Either way the same fetch code runs.
 */
export type BirdConnection = { simulated: boolean; client: BirdPlatformClient; gateway: SmsGateway };

const derived = (purpose: string) => createHmac("sha256", env.authSecret).update(purpose).digest();

/**
 * What the simulated platform and the app share, derived from AUTH_SECRET so
 * nothing extra is stored and nobody without it can call the stand-in.
 */
export const simulatedBirdKey = () => `bk_sim1_${derived("simulated bird api key").toString("base64url")}`;
export const simulatedBirdWebhookSecret = () => `whsec_${derived("simulated bird webhook secret").toString("base64")}`;

/** Whether the simulator stands in for Bird (no key, SIMULATOR_API=bird). */
export const isSimulatedBird = () => env.smsApi === "bird" && env.smsGateway === "simulator";

let connection: BirdConnection | undefined;

/** Only meaningful with env.smsApi === "bird". */
export function birdConnection(): BirdConnection {
  if (connection) return connection;
  const simulated = isSimulatedBird();
  const config = {
    apiKey: simulated ? simulatedBirdKey() : env.messagebird.apiKey!,
    baseUrl: simulated ? () => internalUrl(SIMULATED_BIRD_API).toString() : () => env.bird.apiUrl!,
    categories: env.bird.categories,
  };
  connection = { simulated, client: createBirdPlatformClient(config), gateway: createBirdGateway(config) };
  return connection;
}
