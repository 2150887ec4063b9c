import { sql } from "drizzle-orm";
import type { Db } from "../platform/db/connect";
import { preparedRows } from "../platform/db/prepared";
import { webhookNonces } from "../platform/db/schema";

/** A signed webhook's one-time value, refused a second time until the signature has expired anyway. */
export type Nonce = { value: string; expiresAt: Date };

/**
 * Records nonces in the transaction that stores what their webhooks carried:
 * both commit or neither does, so a failure or crash before commit leaves
 * MessageBird's retry acceptable. Answers, by position, whether each was
 * claimed; false is a replay: recorded before, or earlier in this list. An
 * identical nonce in flight elsewhere makes this wait until that one commits
 * or rolls back. In Postgres so a replay sent to another instance is refused
 * too; expired rows are purged by background.ts. One statement for all.
 */
export async function claimNonces(tx: Db, nonces: (Nonce | undefined)[]): Promise<boolean[]> {
  const firsts = new Map<string, Nonce>();
  for (const nonce of nonces) if (nonce && !firsts.has(nonce.value)) firsts.set(nonce.value, nonce);
  if (firsts.size === 0) return nonces.map(() => true);
  const rows = [...firsts.values()].map(({ value, expiresAt }) => ({ jti: value, expires_at: expiresAt }));
  // Sorted, so two instances claiming overlapping sets wait for each other instead of deadlocking.
  rows.sort((a, b) => (a.jti < b.jti ? -1 : a.jti > b.jti ? 1 : 0));
  const claimed = await preparedRows<{ jti: string }>(
    tx,
    "claim_nonces",
    sql`insert into ${webhookNonces} (jti, expires_at)
        select jti, expires_at from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(jti text, expires_at timestamptz)
        on conflict do nothing
        returning jti`,
  );
  const fresh = new Set(claimed.map((row) => row.jti));
  return nonces.map((nonce) => !nonce || fresh.delete(nonce.value));
}
