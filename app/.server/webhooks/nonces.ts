import type { Db } from "../platform/db/connect";
import { webhookNonces } from "../platform/db/schema";

/** A signed webhook's one-time value, refused a second time until the signature has expired anyway. */
export type Nonce = { value: string; expiresAt: Date };

/**
 * Records a nonce in the transaction that stores what its webhook carried:
 * both commit or neither does, so a failure or crash before commit leaves
 * MessageBird's retry acceptable. False when it is already recorded, i.e. a
 * replay; an identical request in flight makes this wait until that one
 * commits or rolls back. In Postgres so a replay sent to another instance is
 * refused too; expired rows are purged by background.ts.
 */
export async function claimNonce(tx: Db, nonce: Nonce): Promise<boolean> {
  const claimed = await tx
    .insert(webhookNonces)
    .values({ jti: nonce.value, expiresAt: nonce.expiresAt })
    .onConflictDoNothing()
    .returning({ jti: webhookNonces.jti });
  return claimed.length > 0;
}
