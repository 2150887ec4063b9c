import { and, eq, sql, type SQL } from "drizzle-orm";
import type { ReportDays } from "~/lib/reports";
import { visibleTo, type Viewer } from "../conversations/access";
import { db } from "../platform/db/client";
import { conversations, numbers } from "../platform/db/schema";
import { refreshReportRollups } from "./rollup";

/**
 * The reports' figures. Starts (with their first reply and resolution), SMS counts and who is
 * waiting come from the rollups (rollup.ts has the definitions), brought up to date first; who
 * resolved how many from conversation_events, by a partial index. Decision 015 has the reasons
 * and the measurements.
 */

export type Scope = { viewer: Viewer; numberId: string | null; agentId: string | null; timeZone: string };

/** Counts of one local day, or of a whole period. */
export type Volume = { inbound: number; byPeople: number; automatic: number; segments: number };

export type Starts = {
  started: number;
  startedByTeam: number;
  /** Seconds; null when nothing in the period had one. */
  firstResponseMedian: number | null;
  firstResponseP90: number | null;
  resolutionMedian: number | null;
};

export type PeriodFigures = Volume & Starts;

export type ReportFigures = {
  current: PeriodFigures;
  previous: PeriodFigures;
  daily: ({ day: string } & Volume & { firstResponseMedian: number | null; responses: number })[];
  /** Inbound SMS by local weekday (0 = Monday) and hour. */
  heatmap: number[][];
  numbers: ({ number: string } & Volume & { firstResponseMedian: number | null })[];
  agents: { userId: string; replies: number; resolved: number; firstResponseMedian: number | null }[];
  waiting: { conversations: number; oldestSince: Date | null };
};

const EMPTY_VOLUME: Volume = { inbound: 0, byPeople: 0, automatic: 0, segments: 0 };
const NO_STARTS: Starts = {
  started: 0,
  startedByTeam: 0,
  firstResponseMedian: null,
  firstResponseP90: null,
  resolutionMedian: null,
};

/** Which conversations count: what the viewer may see, on one number, assigned to one agent now. */
function inScope(scope: Scope, conversationId: SQL): SQL {
  const conditions = and(
    visibleTo(scope.viewer),
    scope.numberId
      ? eq(
          conversations.virtualNumber,
          sql`(select ${numbers.number} from ${numbers} where ${numbers.id} = ${scope.numberId})`,
        )
      : undefined,
    scope.agentId ? eq(conversations.assigneeId, scope.agentId) : undefined,
  );
  return conditions
    ? sql`${conversationId} in (select ${conversations.id} from ${conversations} where ${conditions})`
    : sql`true`;
}

/** Local midnight at the start of `day` in the viewer's zone, as an instant. */
const midnight = (day: string, timeZone: string) => sql`(${day}::date::timestamp at time zone ${timeZone})`;

const localDate = (column: SQL, timeZone: string) => sql`(${column} at time zone ${timeZone})::date::text`;

const seconds = (later: SQL, earlier: SQL) => sql`extract(epoch from ${later} - ${earlier})::float8`;

type Row = Record<string, unknown>;
/**
 * Postgres compiles a statement it thinks costly with JIT before running it: over a few months of
 * messages that took 1.5 s of compiling for a query that then ran in a fraction of it.
 */
const rows = <T extends Row>(statement: SQL) =>
  db.transaction(async (tx) => {
    // And the percentiles sort a period's starts in memory rather than on disk (4 MB by default).
    await tx.execute(sql`select set_config('jit', 'off', true), set_config('work_mem', '64MB', true)`);
    return (await tx.execute(statement)) as unknown as T[];
  });

export async function reportFigures(scope: Scope, days: ReportDays): Promise<ReportFigures> {
  const window = {
    previousStart: midnight(days.previousFrom, scope.timeZone),
    start: midnight(days.from, scope.timeZone),
    end: midnight(addOneDay(days.to), scope.timeZone),
  };
  await refreshReportRollups();
  const [volume, replies, starts, heatmap, resolved, waiting] = await Promise.all([
    volumeRows(scope, window),
    replyRows(scope, window),
    startRows(scope, window),
    heatmapRows(scope, window),
    resolvedRows(scope, window),
    waitingNow(scope),
  ]);
  return assemble(days, volume, replies, starts, heatmap, resolved, waiting);
}

const addOneDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

type Window = { previousStart: SQL; start: SQL; end: SQL };

type VolumeRow = Volume & { day: string; number: string };

/**
 * The SMS that count, as rows of (at, number, user_id, inbound, by_people, automatic, segments):
 * all of them, or people's replies by person. Read from the quarter hours of report_volume, or,
 * for the conversations assigned to one agent now (which the rollup cannot know), from those
 * conversations' messages one by one.
 */
function counted(scope: Scope, which: "all" | "replies") {
  if (!scope.agentId) {
    const number = scope.numberId
      ? sql`v.number = (select ${numbers.number} from ${numbers} where ${numbers.id} = ${scope.numberId})`
      : sql`true`;
    return sql`(select v.bucket as at, v.number, v.user_id, v.inbound, v.by_people, v.automatic, v.segments
                from report_volume v
                where ${which === "all" ? sql`v.user_id is null` : sql`v.user_id is not null`} and ${number})`;
  }
  return sql`(select m.created_at as at, case when m.direction = 'inbound' then m.to_number else m.from_number end as number,
                     m.author_user_id as user_id, (m.direction = 'inbound')::int as inbound, (m.author = 'user')::int as by_people,
                     (m.author = 'system')::int as automatic, case when m.direction = 'outbound' then m.segments else 0 end as segments
              from messages m
              where ${which === "all" ? sql`(m.direction = 'inbound' or m.author in ('user', 'system'))` : sql`m.author = 'user' and m.author_user_id is not null`}
                and m.status <> 'cancelled' and ${inScope(scope, sql`m.conversation_id`)})`;
}

/** SMS in both periods by local day and our number. */
function volumeRows(scope: Scope, window: Window) {
  return rows<VolumeRow>(sql`
    select ${localDate(sql`c.at`, scope.timeZone)} as day, c.number,
           sum(c.inbound)::int as inbound, sum(c.by_people)::int as "byPeople",
           sum(c.automatic)::int as automatic, sum(c.segments)::int as segments
    from ${counted(scope, "all")} as c
    where c.at >= ${window.previousStart} and c.at < ${window.end}
    group by 1, 2`);
}

/** Each person's replies in the period. */
function replyRows(scope: Scope, window: Window) {
  return rows<{ userId: string; replies: number }>(sql`
    select c.user_id as "userId", sum(c.by_people)::int as replies
    from ${counted(scope, "replies")} as c
    where c.at >= ${window.start} and c.at < ${window.end}
    group by 1`);
}

// grouping() of (day, number, replier): a bit set for each column the row is not grouped by.
const LEVEL = { period: 0b111, day: 0b011, number: 0b101, responder: 0b110 } as const;

type StartRow = Starts & {
  period: "current" | "previous";
  level: number;
  day: string | null;
  number: string | null;
  userId: string | null;
  responses: number;
};

/**
 * The starts in both periods (report_starts): by period, and the current period's by local day,
 * our number and first responder, as two statements side by side (each sorts its own rows once
 * per percentile, so the previous period is sorted only for its totals).
 */
async function startRows(scope: Scope, window: Window) {
  const starts = (from: SQL) => sql`(
    select case when s.started_at >= ${window.start} then 'current' else 'previous' end as period,
           ${localDate(sql`s.started_at`, scope.timeZone)} as day, s.number, s.replier_id as replier, s.by_team,
           ${seconds(sql`s.first_reply_at`, sql`s.started_at`)} as first_response,
           ${seconds(sql`s.resolved_at`, sql`s.started_at`)} as resolution
    from report_starts s
    where s.started_at >= ${from} and s.started_at < ${window.end} and ${inScope(scope, sql`s.conversation_id`)}) as s`;
  const measures = sql`
    count(*)::int as started,
    count(*) filter (where by_team)::int as "startedByTeam",
    count(first_response)::int as responses,
    percentile_disc(0.5) within group (order by first_response) as "firstResponseMedian",
    percentile_disc(0.9) within group (order by first_response) as "firstResponseP90",
    percentile_disc(0.5) within group (order by resolution) as "resolutionMedian"`;
  const [periods, current] = await Promise.all([
    rows<StartRow>(sql`
      select period, null as day, null as number, null as "userId", ${LEVEL.period}::int as level, ${measures}
      from ${starts(window.previousStart)} group by period`),
    rows<StartRow>(sql`
      select period, day, number, replier as "userId", grouping(day, number, replier)::int as level, ${measures}
      from ${starts(window.start)} group by grouping sets ((period, day), (period, number), (period, replier))`),
  ]);
  return [...periods, ...current];
}

/** Inbound SMS of the period by local ISO weekday and hour. */
function heatmapRows(scope: Scope, window: Window) {
  const local = sql`(c.at at time zone ${scope.timeZone})`;
  return rows<{ weekday: number; hour: number; inbound: number }>(sql`
    select extract(isodow from ${local})::int - 1 as weekday, extract(hour from ${local})::int as hour, sum(c.inbound)::int as inbound
    from ${counted(scope, "all")} as c
    where c.at >= ${window.start} and c.at < ${window.end} and c.inbound > 0
    group by 1, 2`);
}

/** Conversations each person resolved in the period (conversation_events by kind and time). */
function resolvedRows(scope: Scope, window: Window) {
  return rows<{ userId: string; resolved: number }>(sql`
    select e.actor_user_id as "userId", count(*)::int as resolved
    from conversation_events e
    where e.kind = 'resolved' and e.created_at >= ${window.start} and e.created_at < ${window.end}
      and e.actor_user_id is not null and ${inScope(scope, sql`e.conversation_id`)}
    group by 1`);
}

/** Open conversations whose contact is waiting for a person (report_waiting), and since when. */
async function waitingNow(scope: Scope): Promise<ReportFigures["waiting"]> {
  const [row] = await rows<{ conversations: number; oldest: string | null }>(sql`
    select count(*)::int as conversations, min(w.since)::text as oldest
    from report_waiting w join conversations c on c.id = w.conversation_id
    where c.resolved_at is null and ${inScope(scope, sql`c.id`)}`);
  return { conversations: row?.conversations ?? 0, oldestSince: row?.oldest ? new Date(row.oldest) : null };
}

function assemble(
  days: ReportDays,
  volume: VolumeRow[],
  replyCounts: { userId: string; replies: number }[],
  starts: StartRow[],
  heatmapCells: { weekday: number; hour: number; inbound: number }[],
  resolved: { userId: string; resolved: number }[],
  waiting: ReportFigures["waiting"],
): ReportFigures {
  const inCurrent = (day: string) => day >= days.from;
  const sum = (target: Volume, row: Volume) => {
    target.inbound += row.inbound;
    target.byPeople += row.byPeople;
    target.automatic += row.automatic;
    target.segments += row.segments;
  };
  const current: PeriodFigures = { ...EMPTY_VOLUME, ...NO_STARTS };
  const previous: PeriodFigures = { ...EMPTY_VOLUME, ...NO_STARTS };
  const daily = new Map<string, ReportFigures["daily"][number]>();
  const byNumber = new Map<string, ReportFigures["numbers"][number]>();
  const replies = new Map(replyCounts.map((row) => [row.userId, row.replies]));
  for (const row of volume) {
    if (!inCurrent(row.day)) {
      sum(previous, row);
      continue;
    }
    sum(current, row);
    const day = daily.get(row.day) ?? { day: row.day, ...EMPTY_VOLUME, firstResponseMedian: null, responses: 0 };
    sum(day, row);
    daily.set(row.day, day);
    const number = byNumber.get(row.number) ?? { number: row.number, ...EMPTY_VOLUME, firstResponseMedian: null };
    sum(number, row);
    byNumber.set(row.number, number);
  }
  const medians = new Map<string, number | null>();
  for (const row of starts) {
    if (row.level === LEVEL.period) Object.assign(row.period === "current" ? current : previous, pickStarts(row));
    if (row.period !== "current") continue;
    if (row.level === LEVEL.day) {
      const day = daily.get(row.day!) ?? { day: row.day!, ...EMPTY_VOLUME, firstResponseMedian: null, responses: 0 };
      daily.set(row.day!, { ...day, firstResponseMedian: row.firstResponseMedian, responses: row.responses });
    } else if (row.level === LEVEL.number) {
      const number = byNumber.get(row.number!) ?? { number: row.number!, ...EMPTY_VOLUME, firstResponseMedian: null };
      byNumber.set(row.number!, { ...number, firstResponseMedian: row.firstResponseMedian });
    } else if (row.level === LEVEL.responder && row.userId !== null) medians.set(row.userId, row.firstResponseMedian);
  }
  const heatmap = Array.from({ length: 7 }, () => Array<number>(24).fill(0));
  for (const cell of heatmapCells) heatmap[cell.weekday]![cell.hour] = cell.inbound;
  const resolvedBy = new Map(resolved.map((row) => [row.userId, row.resolved]));
  const agentIds = new Set([...replies.keys(), ...resolvedBy.keys(), ...medians.keys()]);
  return {
    current,
    previous,
    daily: [...daily.values()].sort((a, b) => a.day.localeCompare(b.day)),
    heatmap,
    numbers: [...byNumber.values()].sort((a, b) => a.number.localeCompare(b.number)),
    agents: [...agentIds].map((userId) => ({
      userId,
      replies: replies.get(userId) ?? 0,
      resolved: resolvedBy.get(userId) ?? 0,
      firstResponseMedian: medians.get(userId) ?? null,
    })),
    waiting,
  };
}

const pickStarts = (row: StartRow): Starts => ({
  started: row.started,
  startedByTeam: row.startedByTeam,
  firstResponseMedian: row.firstResponseMedian,
  firstResponseP90: row.firstResponseP90,
  resolutionMedian: row.resolutionMedian,
});
