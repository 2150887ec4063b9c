import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { countSegments } from "~/lib/segments";
import { db } from "../platform/db/client";
import type { Db } from "../platform/db/connect";
import { preparedRows } from "../platform/db/prepared";
import { conversations, messages, users } from "../platform/db/schema";
import { publish } from "../platform/event-bus";
import { writeBatch } from "../platform/write-batch";
import { noteNumbersTexted } from "../sms/numbers";
import { claimNonces, type Nonce } from "../webhooks/nonces";
import { consentKeyword } from "./consent";
import type { InboundSms } from "./provider-events";

/**
 * The job added with every batch of stored inbound SMS (payload `{ messageIds }`), in the same
 * statement: what follows an arrival (notifications, automations, outgoing webhooks) is as
 * durable as the message and never holds up the webhook's answer. background.ts hands it on.
 */
export const INBOUND_STORED_TASK = "inbound_stored";

/** A signed webhook's nonce refused: it was recorded before, and nothing was stored. */
export type Replayed = { status: "replayed" };

export type Received = { status: "stored"; id: string; conversationId: string } | { status: "duplicate" } | Replayed;

/**
 * Stores an inbound SMS exactly once, whoever sent it: numbers nobody has
 * verified form unclaimed conversations that agents see. Resolves only after
 * commit, so a 2xx built on it never acknowledges a lost message. A signed
 * webhook's nonce commits with the message or not at all.
 */
export async function receiveInbound(sms: InboundSms, nonce?: Nonce): Promise<Received> {
  const receivedAt = new Date();
  const [providerMessageId, ...earlierIds] = redeliveryIds(sms, receivedAt);
  const received = await store({ sms, nonce, receivedAt, providerMessageId, earlierIds });
  if (received.status === "stored")
    publish({ kind: "message", conversationId: received.conversationId, messageId: received.id });
  return received;
}

type Arrival = {
  sms: InboundSms;
  nonce: Nonce | undefined;
  receivedAt: Date;
  providerMessageId: string;
  /** Ids under which an earlier delivery of the same SMS may already be stored. */
  earlierIds: string[];
};

/** Arrivals that come in while a write is in flight are stored together, in one transaction. */
const store = writeBatch<Arrival, Received>({
  write: (arrivals) => db.transaction((tx) => storeAll(tx, arrivals)),
});

const DUPLICATE: Received = { status: "duplicate" };

/**
 * The same outcome as storing the arrivals one by one in arrival order, in a
 * fixed number of statements, sent together: after the nonces (when there are
 * any) the rest is one round trip, since each statement finds what the one
 * before it wrote instead of waiting for its answer. The conversation upsert
 * takes each sender's row lock until commit, so one sender's deliveries in
 * different batches (or on other instances) take turns; the insert, a later
 * statement, then sees whatever the previous turn committed, which keeps the
 * earlier-delivery check free of races.
 */
async function storeAll(tx: Db, arrivals: Arrival[]): Promise<Received[]> {
  const answers: Received[] = new Array(arrivals.length);
  // Before the conversations' row locks, so a replay holds up no one and waits only for its original.
  const claimed = await claimNonces(
    tx,
    arrivals.map((arrival) => arrival.nonce),
  );
  const candidates: Arrival[] = [];
  const idsTaken = new Set<string>();
  arrivals.forEach((arrival, i) => {
    if (!claimed[i]) answers[i] = { status: "replayed" };
    // A redelivery of one stored earlier in this same batch.
    else if ([arrival.providerMessageId, ...arrival.earlierIds].some((id) => idsTaken.has(id))) answers[i] = DUPLICATE;
    else {
      idsTaken.add(arrival.providerMessageId);
      candidates.push(arrival);
    }
  });
  if (candidates.length === 0) return answers;

  const texts = candidates.map((arrival) => arrival.sms);
  const [, , inserted] = await Promise.all([
    noteNumbersTexted(
      tx,
      texts.map((sms) => sms.to),
    ),
    lockConversations(tx, texts),
    insertMessages(tx, candidates),
  ]);
  const stored = new Map(inserted.map((row) => [row.providerMessageId, row]));
  arrivals.forEach((arrival, i) => {
    if (answers[i]) return;
    const row = stored.get(arrival.providerMessageId);
    answers[i] = row ? { status: "stored", id: row.id, conversationId: row.conversationId } : DUPLICATE;
  });
  return answers;
}

/**
 * One upsert for every sender in the batch: creates the conversations that
 * are new and locks them all until commit. DO UPDATE (not DO NOTHING) so
 * existing rows are locked too. Rows go in key order (a function scan keeps
 * its input's order), so two batches that share senders, on this or another
 * instance, wait for each other rather than deadlock.
 */
async function lockConversations(tx: Db, texts: InboundSms[]): Promise<void> {
  const rows = new Map(
    texts.map((sms) => [`${sms.from} ${sms.to}`, { contactNumber: sms.from, virtualNumber: sms.to }]),
  );
  const sorted = [...rows.keys()].sort().map((key) => rows.get(key)!);
  await preparedRows(
    tx,
    "upsert_inbound_conversations",
    // A no-op update, only for the row lock. Ownership is never rewritten
    // here: claiming and removing a number own it, and a value read from this
    // statement's snapshot could undo a removal committed meanwhile.
    sql`insert into ${conversations} (contact_number, virtual_number, user_id)
        select v."contactNumber", v."virtualNumber", (select u.id from ${users} u where u.phone_number = v."contactNumber")
        from jsonb_to_recordset(${JSON.stringify(sorted)}::jsonb) as v("contactNumber" text, "virtualNumber" text)
        on conflict (contact_number, virtual_number) do update set contact_number = excluded.contact_number`,
  );
}

type Inserted = { id: string; providerMessageId: string; conversationId: string };

/**
 * One statement stores the batch's new messages in their conversations (a
 * conflict, or an earlier delivery under another id, means a duplicate) and
 * applies what the stored ones change on their conversations: the latest
 * message time, a resolved conversation reopened (the contact needs the team
 * again; a redelivery does not), and consent as the keywords would leave it
 * applied in arrival order: the last opt-in wins over the opt-outs before it,
 * and the first opt-out after it sets the time (after an opt-in it starts
 * anew, otherwise the earliest opt-out stands); and the follow-up job.
 */
async function insertMessages(tx: Db, candidates: Arrival[]): Promise<Inserted[]> {
  const rows = candidates.map(({ sms, providerMessageId, earlierIds, receivedAt }, ord) => ({
    ord,
    body: sms.body,
    fromNumber: sms.from,
    toNumber: sms.to,
    providerMessageId,
    earlierIds,
    segments: countSegments(sms.body).segments,
    createdAt: receivedAt,
    keyword: consentKeyword(sms.body),
  }));
  return preparedRows<Inserted>(
    tx,
    "insert_inbound_messages",
    sql`with v as (
          select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(
            ord int, body text, "fromNumber" text, "toNumber" text, "providerMessageId" text, "earlierIds" text[],
            segments int, "createdAt" timestamptz, keyword text)
        ), inserted as (
          insert into ${messages} (conversation_id, direction, body, from_number, to_number, status, provider_message_id, segments, created_at, status_at)
          select c.id, 'inbound', v.body, v."fromNumber", v."toNumber", 'received', v."providerMessageId", v.segments, v."createdAt", v."createdAt"
          from v join ${conversations} c on c.contact_number = v."fromNumber" and c.virtual_number = v."toNumber"
          where not exists (select from ${messages} m where m.provider_message_id = any(v."earlierIds"))
          order by v.ord
          on conflict (provider_message_id) do nothing
          returning id, provider_message_id, conversation_id
        ), stored as (
          select v.*, i.conversation_id from inserted i join v on v."providerMessageId" = i.provider_message_id
        ), changes as (
          select conversation_id, max("createdAt") as "lastMessageAt", max(ord) filter (where keyword = 'opt-in') as "lastOptIn"
          from stored group by conversation_id
        ), touched as (
          update ${conversations} c set
            last_message_at = greatest(c.last_message_at, k."lastMessageAt"),
            resolved_at = null,
            opted_out_at = case
              when k."optOutAt" is not null and k."lastOptIn" is not null then k."optOutAt"
              when k."optOutAt" is not null then coalesce(c.opted_out_at, k."optOutAt")
              when k."lastOptIn" is not null then null
              else c.opted_out_at end
          from (
            select changes.*, (
              select s."createdAt" from stored s
              where s.conversation_id = changes.conversation_id and s.keyword = 'opt-out' and s.ord > coalesce(changes."lastOptIn", -1)
              order by s.ord limit 1
            ) as "optOutAt"
            from changes
          ) k
          where c.id = k.conversation_id
        ), follow_up as (
          select graphile_worker.add_job(${INBOUND_STORED_TASK}, json_build_object('messageIds', json_agg(id order by id)), max_attempts => 10)
          from inserted having count(*) > 0
        )
        -- Joined so the job is added (a plain SELECT in WITH runs only when read); it is one row exactly when anything was stored.
        select id, provider_message_id as "providerMessageId", conversation_id as "conversationId" from inserted, follow_up`,
  );
}

// Without a provider id or timestamp (the tutorial's Flow Builder JSON) a
// redelivery looks exactly like the same text sent again, so identical texts
// are treated as one within 10-20 minutes: long enough for MessageBird's
// retries, short enough that a later "yes" is a new message. See
// docs/decisions/001-deduplicating-inbound-sms-without-an-id.md.
const DEDUPE_WINDOW_MS = 10 * 60_000;

/** The id to store first, then ids under which an earlier delivery may already be stored. */
function redeliveryIds(sms: InboundSms, receivedAt: Date): [string, ...string[]] {
  if (sms.providerMessageId) return [sms.providerMessageId];
  const derived = (when: string) =>
    `derived:${createHash("sha256")
      .update(JSON.stringify([sms.from, sms.to, sms.body, when]))
      .digest("hex")}`;
  if (sms.sentAt) return [derived(sms.sentAt)];
  const window = Math.floor(receivedAt.getTime() / DEDUPE_WINDOW_MS);
  return [derived(`window:${window}`), derived(`window:${window - 1}`)];
}
