import { sql } from "drizzle-orm";
import { Logger, run, runMigrations, runOnce, type TaskList } from "graphile-worker";
import type { Db } from "./db/connect";
import { log } from "./log";

/**
 * The one job queue for everything that happens after a request: sending SMS,
 * looking up delivery reports, housekeeping. graphile-worker keeps jobs in
 * Postgres (schema `graphile_worker`), picks them up within milliseconds over
 * LISTEN/NOTIFY, locks each with SKIP LOCKED so several instances share the
 * work, and runs cron items once per schedule across them (decision 012).
 */

const logger = new Logger(() => (level, message, meta) => {
  const fields = loggable(meta);
  if (level === "error") log.error(`job queue: ${message}`, fields);
  else if (level === "warning") log.warn(`job queue: ${message}`, fields);
  else log.debug(`job queue: ${message}`, fields);
});

// The queue hands over the whole job, and a payload may carry what it is about (a push, the text's
// first words): the log names the job, never its payload.
function loggable(meta?: Record<string, unknown>) {
  const job = meta?.job as { id: string; task_identifier: string; attempts: number } | undefined;
  if (!job) return meta;
  return { ...meta, job: { id: job.id, task: job.task_identifier, attempts: job.attempts } };
}

/** Creates or updates the queue's own tables; run under the boot's migration lock. */
export const migrateJobQueue = (connectionString: string) => runMigrations({ connectionString, logger });

export type JobOptions = {
  /** One pending job per key: adding again moves it (to `runAt`, or now) instead of adding a second. */
  key?: string;
  runAt?: Date;
  /** Runs the task gets when it throws; tasks that schedule their own retries throw only on bugs. */
  maxAttempts?: number;
  /** With `key`: a pending job keeps its (earlier) time instead of moving to `runAt`. */
  keepEarlier?: boolean;
};

/** Adds a job in the caller's transaction, so it exists exactly when the rows it works on do. */
export async function enqueue(
  tx: Db,
  task: string,
  payload: object,
  { key, runAt, maxAttempts = 5, keepEarlier = false }: JobOptions = {},
) {
  await tx.execute(
    sql`select graphile_worker.add_job(${task}, ${JSON.stringify(payload)}::json,
          run_at => ${runAt?.toISOString() ?? null}::timestamptz, max_attempts => ${maxAttempts}::int,
          job_key => ${key ?? null}::text, job_key_mode => ${keepEarlier ? "preserve_run_at" : "replace"})`,
  );
}

export type JobRunnerOptions = {
  connectionString: string;
  tasks: TaskList;
  /** graphile-worker crontab lines: `* * * * * task_name` */
  crontab: string;
  concurrency: number;
};

/** Works jobs in this process until the returned function is called (it waits for running jobs). */
export async function startJobRunner({ connectionString, tasks, crontab, concurrency }: JobRunnerOptions) {
  const runner = await run({
    connectionString,
    taskList: tasks,
    crontab,
    concurrency,
    // server.ts owns SIGTERM: it stops the runner before closing the database.
    noHandleSignals: true,
    // LISTEN/NOTIFY picks new jobs up at once; polling only finds jobs whose run_at has come.
    pollInterval: 1000,
    logger,
  });
  return () => runner.stop();
}

/** Works the jobs that are due, once, and returns (tests, and a one-off drain). */
export function runDueJobs({ connectionString, tasks }: Pick<JobRunnerOptions, "connectionString" | "tasks">) {
  return runOnce({ connectionString, taskList: tasks, logger });
}
