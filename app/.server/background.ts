import { lt } from "drizzle-orm";
import { db } from "./platform/db/client";
import { rateLimits, revokedSessions, webhookNonces } from "./platform/db/schema";
import { log } from "./platform/log";
import { failUnconfirmedReplies } from "./conversations/delivery-status";
import { purgeRejections } from "./webhooks/rejections";

type Task = { name: string; everyMs: number; run: () => Promise<unknown> };

// Housekeeping that must never sit on a request's path.
const tasks: Task[] = [
  {
    name: "purge expired rate-limit windows, webhook nonces and revoked sessions",
    everyMs: 5 * 60_000,
    run: async () => {
      const now = new Date();
      await db.delete(rateLimits).where(lt(rateLimits.resetAt, now));
      await db.delete(webhookNonces).where(lt(webhookNonces.expiresAt, now));
      // Past its expiry a revoked token is refused anyway, for being expired.
      await db.delete(revokedSessions).where(lt(revokedSessions.expiresAt, now));
    },
  },
  {
    name: "purge webhook rejections older than 30 days or beyond the cap",
    everyMs: 60 * 60_000,
    run: () => purgeRejections(),
  },
  { name: "offer Retry for replies MessageBird never confirmed", everyMs: 60_000, run: () => failUnconfirmedReplies() },
];

/** Starts periodic housekeeping; returns a function that stops it. */
export function startBackgroundWork(): () => void {
  const timers = tasks.map((task) =>
    setInterval(() => {
      task.run().catch((error: unknown) => log.warn(`${task.name} failed`, { error }));
    }, task.everyMs).unref(),
  );
  return () => timers.forEach(clearInterval);
}
