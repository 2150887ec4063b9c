import { sql } from "drizzle-orm";
import { db } from "../platform/db/client";
import type { Db } from "../platform/db/connect";

/**
 * The reports' rollups (decision 015): `report_starts`, one row per start of a conversation,
 * `report_waiting`, the conversations whose contact waits for a person, and `report_volume`, SMS
 * counts per quarter hour. Triggers on messages and conversation_events mark
 * in `report_stale` which conversations and quarter hours a statement changed, in that statement's
 * transaction; bringing the rollups up to date recomputes just those from the history, so it gives
 * the same rows however often, late or out of order it runs, and however the history was written.
 *
 * - A _turn_ is an inbound SMS or a person's reply (author `user`). A turn _starts_ its
 *   conversation when what came just before it, among its turns and `resolved` events, is a
 *   `resolved` event, or nothing: the contact's first SMS or their first after a resolution, or a
 *   person texting first (e.g. /messages/new): such a start has no first response.
 * - First response: from an inbound start to the first reply by a person before the next
 *   resolution. Auto-replies (author `system`) never count as one.
 * - Resolution: from the start to the first `resolved` event after it.
 */

export const REFRESH_REPORTS_TASK = "refresh_report_rollups";

// One refresh at a time across instances: two would recompute the same conversation side by side.
const REFRESH_LOCK = 7_411_028;

/**
 * Recomputes what was marked stale. Run by a cron job so little piles up, and before every report
 * so it reads what was written just before. Marks of statements not yet committed stay for the
 * next run: their rows commit together with the marks.
 */
export function refreshReportRollups(handle: Db = db) {
  return handle.transaction(async (tx) => {
    await tx.execute(sql`set local jit = off`);
    await tx.execute(sql`select pg_advisory_xact_lock(${REFRESH_LOCK})`);
    const [taken] = (await tx.execute(sql`
      with taken as (delete from report_stale returning conversation_ids, buckets)
      select (select array_agg(distinct id) from taken, unnest(taken.conversation_ids) as id)::text as conversations,
             (select array_agg(distinct bucket) from taken, unnest(taken.buckets) as bucket)::text as buckets`)) as unknown as {
      conversations: string | null;
      buckets: string | null;
    }[];
    if (taken?.conversations) {
      const ids = sql`(${taken.conversations}::uuid[])`;
      await tx.execute(sql`delete from report_starts where conversation_id = any${ids}`);
      await tx.execute(startsOf(ids));
      await tx.execute(sql`delete from report_waiting where conversation_id = any${ids}`);
      await tx.execute(waitingOf(ids));
    }
    if (taken?.buckets) {
      const buckets = sql`(${taken.buckets}::timestamptz[])`;
      await tx.execute(sql`delete from report_volume where bucket = any${buckets}`);
      await tx.execute(sql`
        insert into report_volume (bucket, number, user_id, inbound, by_people, automatic, segments)
        with counted as (
          select b.bucket, case when m.direction = 'inbound' then m.to_number else m.from_number end as number,
                 m.author_user_id, m.direction, m.author, m.segments
          from unnest${buckets} as b (bucket)
          join messages m on m.created_at >= b.bucket and m.created_at < b.bucket + interval '15 minutes'
          -- Cancelled replies never went out and do not count; failed ones were tried and do.
          where (m.direction = 'inbound' or m.author in ('user', 'system')) and m.status <> 'cancelled'
        )
        select bucket, number, null,
               count(*) filter (where direction = 'inbound'),
               count(*) filter (where author = 'user'),
               count(*) filter (where author = 'system'),
               coalesce(sum(segments) filter (where direction = 'outbound'), 0)
        from counted group by 1, 2
        union all
        select bucket, number, author_user_id, 0, count(*), 0, 0
        from counted where author = 'user' and author_user_id is not null group by 1, 2, 3`);
    }
  });
}

/**
 * The starts of the conversations `ids`, from their whole history: in time order with the
 * `resolved` events, each turn after a resolution or nothing, with the first reply by a person and
 * the first resolution that followed it.
 */
function startsOf(ids: ReturnType<typeof sql>) {
  return sql`
    insert into report_starts (conversation_id, started_at, number, by_team, first_reply_at, replier_id, resolved_at)
    with flow as (
      select m.conversation_id, m.created_at, m.direction::text as kind, m.author_user_id as person,
             case when m.direction = 'inbound' then m.to_number else m.from_number end as number
      from messages m
      where m.conversation_id = any${ids} and (m.direction = 'inbound' or m.author = 'user')
      union all
      select e.conversation_id, e.created_at, 'resolved', e.actor_user_id, null
      from conversation_events e
      where e.conversation_id = any${ids} and e.kind = 'resolved'
    ),
    ordered as (
      select f.*, lag(f.kind) over conversation as before,
             min(f.created_at) filter (where f.kind = 'resolved') over later as resolved_at,
             min(f.created_at) filter (where f.kind = 'outbound') over later as reply_at,
             (array_agg(f.person) filter (where f.kind = 'outbound') over later)[1] as replier
      from flow f
      -- A resolution at the same moment as a turn came first.
      window conversation as (partition by f.conversation_id order by f.created_at, f.kind <> 'resolved'),
             later as (conversation rows between 1 following and unbounded following)
    ),
    answered as (
      select o.*, o.kind = 'inbound' and o.reply_at <= coalesce(o.resolved_at, 'infinity') as in_time
      from ordered o
      where o.kind <> 'resolved' and (o.before is null or o.before = 'resolved')
    )
    select conversation_id, created_at, number, kind = 'outbound',
           case when in_time then reply_at end, case when in_time then replier end, resolved_at
    from answered`;
}

/** Since when the contact of each of `ids` waits: their first SMS after the last reply by a person and the last resolution. */
function waitingOf(ids: ReturnType<typeof sql>) {
  return sql`
    insert into report_waiting (conversation_id, since)
    select c.id, waiting.since
    from unnest${ids} as c (id)
    cross join lateral (
      select min(i.created_at) as since from messages i
      where i.conversation_id = c.id and i.direction = 'inbound'
        and i.created_at > coalesce(greatest(
          (select max(r.created_at) from messages r
           where r.conversation_id = c.id and r.direction = 'outbound' and r.author = 'user'),
          (select max(e.created_at) from conversation_events e where e.conversation_id = c.id and e.kind = 'resolved')),
          '-infinity')) waiting
    where waiting.since is not null`;
}
