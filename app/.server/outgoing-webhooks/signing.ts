import { randomBytes } from "node:crypto";
import {
  sign,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from "../webhooks/standard-webhooks";

/**
 * Our own deliveries are signed the way we verify Bird's (webhooks/standard-webhooks.ts), so
 * any Standard Webhooks library verifies them: one `v1,` signature per secret in use.
 */

/** `whsec_` and 32 random bytes in base64: the format receivers' libraries expect. */
export const newSigningSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

export function signedHeaders(id: string, secrets: readonly string[], body: string, now = new Date()) {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const bytes = Buffer.from(body);
  return {
    [WEBHOOK_ID_HEADER]: id,
    [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
    [WEBHOOK_SIGNATURE_HEADER]: secrets.map((secret) => sign(secret, id, timestamp, bytes)).join(" "),
  };
}
