import { sql, type SQL } from "drizzle-orm";
import type { Db } from "../platform/db/connect";
import { preparedRows } from "../platform/db/prepared";
import type { WebhookEvent } from "~/lib/outgoing-webhook-schemas";

/**
 * An event becomes one delivery per active endpoint that subscribed to it, each with its job,
 * in one statement of the caller's transaction: the deliveries exist exactly when the change
 * does, and with no endpoint listening the cost is one cheap round trip. The body is written
 * now, so every retry posts what was true when the event happened.
 */

export const DELIVER_WEBHOOK_TASK = "deliver_webhook";
/** The inbound follow-up that turns a stored batch of SMS into `message.received` events. */
export const RECEIVED_EVENTS_TASK = "webhook_message_received";

const JOB_KEY_PREFIX = "webhook:";
/** One pending job per delivery: a retry or a Resend moves it instead of adding another. */
export const deliveryJobKey = (deliveryId: string) => JOB_KEY_PREFIX + deliveryId;

/** `subject` yields one row per event with a `data` json column; `before` adds CTEs it may read. */
function fanOut(tx: Db, name: string, type: WebhookEvent, subject: SQL, before = sql``) {
  return preparedRows(
    tx,
    name,
    sql`with ${before} delivery as (
          insert into webhook_deliveries (id, endpoint_id, event_type, body, next_attempt_at)
          select 'msg_' || replace(gen_random_uuid()::text, '-', ''), e.id, ${type}::text,
                 json_build_object('type', ${type}::text,
                   'timestamp', to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                   'data', s.data)::text,
                 now()
          from webhook_endpoints e cross join (${subject}) s
          where e.active and ${type}::text = any(e.events)
          returning id)
        select graphile_worker.add_job(${DELIVER_WEBHOOK_TASK}::text, json_build_object('deliveryId', delivery.id),
                 job_key => ${JOB_KEY_PREFIX}::text || delivery.id)
        from delivery`,
  );
}

/**
 * `message.received`, `message.sent`, `message.status`: the messages as they stand in this
 * transaction. Verification codes never leave: they are nobody's business but the person's.
 */
export async function recordMessageEvents(tx: Db, type: WebhookEvent, messageIds: readonly string[]) {
  if (messageIds.length === 0) return;
  await fanOut(
    tx,
    "webhook_message_events",
    type,
    sql`select ${messageData} from messages m
        where m.id = any(${`{${messageIds.join(",")}}`}::uuid[]) and m.author <> 'verification-code'
        order by m.created_at, m.id`,
  );
}

/**
 * An UPDATE of messages (its RETURNING all columns) and the events about the rows it changed, in
 * one statement: atomic without a transaction, so the outbox's every send pays one round trip
 * for both rather than four (BEGIN, update, events, COMMIT).
 */
export async function updateWithMessageEvents(db: Db, type: WebhookEvent, update: SQL) {
  await fanOut(
    db,
    "webhook_message_update_events",
    type,
    sql`select ${messageData} from changed m where m.author <> 'verification-code'`,
    sql`changed as (${update}),`,
  );
}

const messageData = sql`json_build_object('id', m.id, 'conversationId', m.conversation_id, 'direction', m.direction,
  'author', m.author, 'from', m.from_number, 'to', m.to_number, 'body', m.body, 'segments', m.segments,
  'status', m.status, 'statusAt', m.status_at, 'errorCode', m.error_code, 'errorMessage', m.error_message,
  'createdAt', m.created_at) as data`;

/** `conversation.assigned`, `conversation.resolved`: the conversation now, and who made the change. */
export async function recordConversationEvent(
  tx: Db,
  type: WebhookEvent,
  conversationId: string,
  actor: { actorUserId: string | null; via?: string },
) {
  await fanOut(
    tx,
    "webhook_conversation_events",
    type,
    sql`select json_build_object('id', c.id, 'contactNumber', c.contact_number, 'ourNumber', c.virtual_number,
          'assignee', (select json_build_object('id', u.id, 'name', u.name) from users u where u.id = c.assignee_id),
          'resolvedAt', c.resolved_at,
          'actor', json_build_object('userId', ${actor.actorUserId}::text, 'via', ${actor.via ?? null}::text)) as data
        from conversations c where c.id = ${conversationId}::uuid`,
  );
}
