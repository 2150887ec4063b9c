import { eq } from "drizzle-orm";
import { db } from "../db/client";
import { webhookNonces } from "../db/schema";

/**
 * One-time values of signed webhooks, in Postgres so a replay sent to another
 * instance is refused too. Expired rows are purged by background.ts.
 */
export async function claimNonce(nonce: string, expiresAt: Date): Promise<boolean> {
  const claimed = await db
    .insert(webhookNonces)
    .values({ jti: nonce, expiresAt })
    .onConflictDoNothing()
    .returning({ jti: webhookNonces.jti });
  return claimed.length > 0;
}

/** Gives a nonce back when the request it authenticated was not stored, so MessageBird's retry is not taken for a replay. */
export async function releaseNonce(nonce: string): Promise<void> {
  await db.delete(webhookNonces).where(eq(webhookNonces.jti, nonce));
}
