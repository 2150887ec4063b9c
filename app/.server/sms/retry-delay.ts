const FIRST_RETRY_MS = 5_000;

/**
 * The wait after attempt number `attempt` failed: 5 s doubling up to the cap,
 * half of it random so a crowd of waiting replies does not come back at one
 * instant, and never shorter than the provider asked for.
 */
export function retryDelayMs(
  attempt: number,
  { maxDelayMs, retryAfterMs }: { maxDelayMs: number; retryAfterMs: number | null },
  random = Math.random,
): number {
  const ceiling = Math.min(maxDelayMs, FIRST_RETRY_MS * 2 ** Math.max(0, attempt - 1));
  return Math.max(Math.round(ceiling / 2 + (random() * ceiling) / 2), retryAfterMs ?? 0);
}
