import { desc } from "drizzle-orm";
import { db } from "../platform/db/client";
import { birdWebhooks } from "../platform/db/schema";
import { env } from "../platform/env";
import { log } from "../platform/log";
import { open, seal } from "../platform/secret-box";
import { isSimulatedBird, simulatedBirdWebhookSecret } from "../sms/bird-connection";

/**
 * The secrets Bird signs our webhook with: BIRD_WEBHOOK_SECRET (registered by
 * hand), every endpoint /team/provider registered (kept sealed), and the
 * simulator's. A registration is in force at once in this process; other
 * instances pick it up on their next signature they cannot verify.
 */

export type RegisteredWebhook = { id: string; url: string; createdAt: Date };

let stored: { secrets: string[]; loadedAt: number } | undefined;
const RELOAD_AFTER_MS = 5_000;

async function load(): Promise<string[]> {
  const rows = await db.select({ id: birdWebhooks.id, sealed: birdWebhooks.sealedSecret }).from(birdWebhooks);
  const secrets: string[] = [];
  for (const row of rows) {
    const secret = open(row.sealed);
    if (secret) secrets.push(secret);
    else
      log.warn("a registered Bird webhook secret cannot be read (was AUTH_SECRET changed?): register again", {
        webhookId: row.id,
      });
  }
  stored = { secrets, loadedAt: Date.now() };
  return secrets;
}

const fixed = () => [
  ...(env.bird.webhookSecret ? [env.bird.webhookSecret] : []),
  ...(isSimulatedBird() ? [simulatedBirdWebhookSecret()] : []),
];

export async function birdWebhookSecrets(): Promise<string[]> {
  return [...fixed(), ...(stored?.secrets ?? (await load()))];
}

/** Secrets registered since we last looked (another instance's registration), or null when nothing could be new. */
export async function newerBirdWebhookSecrets(): Promise<string[] | null> {
  if (stored && Date.now() - stored.loadedAt < RELOAD_AFTER_MS) return null;
  const before = new Set(stored?.secrets);
  const secrets = await load();
  return secrets.some((secret) => !before.has(secret)) ? [...fixed(), ...secrets] : null;
}

export async function saveBirdWebhook({ id, url, secret }: { id: string; url: string; secret: string }): Promise<void> {
  await db
    .insert(birdWebhooks)
    .values({ id, url, sealedSecret: seal(secret) })
    .onConflictDoUpdate({ target: birdWebhooks.id, set: { url, sealedSecret: seal(secret) } });
  await load();
}

export async function registeredBirdWebhooks(): Promise<RegisteredWebhook[]> {
  return db
    .select({ id: birdWebhooks.id, url: birdWebhooks.url, createdAt: birdWebhooks.createdAt })
    .from(birdWebhooks)
    .orderBy(desc(birdWebhooks.createdAt));
}

/** Whether any secret is configured at all: without one every Bird webhook is refused (503). */
export async function birdWebhookConfigured(): Promise<boolean> {
  return (await birdWebhookSecrets()).length > 0;
}
