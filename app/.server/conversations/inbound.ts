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
import { consentKeyword, type ConsentKeyword } from "./consent";
import type { InboundSms } from "./provider-events";

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
 * fixed number of statements. The conversation upsert takes each sender's
 * row lock until commit, so one sender's deliveries in different batches (or
 * on other instances) take turns, which keeps the earlier-window lookup free
 * of races.
 */
async function storeAll(tx: Db, arrivals: Arrival[]): Promise<Received[]> {
  const answers: Received[] = new Array(arrivals.length);
  // Before the conversations' row locks, so a replay holds up no one and waits only for its original.
  const claimed = await claimNonces(
    tx,
    arrivals.map((arrival) => arrival.nonce),
  );
  const candidates: number[] = [];
  const idsTaken = new Set<string>();
  arrivals.forEach((arrival, i) => {
    if (!claimed[i]) answers[i] = { status: "replayed" };
    // A redelivery of one stored earlier in this same batch.
    else if ([arrival.providerMessageId, ...arrival.earlierIds].some((id) => idsTaken.has(id))) answers[i] = DUPLICATE;
    else {
      idsTaken.add(arrival.providerMessageId);
      candidates.push(i);
    }
  });
  if (candidates.length === 0) return answers;

  await noteNumbersTexted(
    tx,
    candidates.map((i) => arrivals[i]!.sms.to),
  );
  const conversationIds = await upsertConversations(
    tx,
    candidates.map((i) => arrivals[i]!.sms),
  );
  const seen = await storedEarlier(
    tx,
    candidates.flatMap((i) => arrivals[i]!.earlierIds),
  );
  const fresh = candidates
    .map((i, n) => ({ i, arrival: arrivals[i]!, conversationId: conversationIds[n]! }))
    .filter(({ i, arrival }) => {
      if (!arrival.earlierIds.some((id) => seen.has(id))) return true;
      answers[i] = DUPLICATE;
      return false;
    });

  const inserted = await insertMessages(tx, fresh);
  const stored = fresh.filter(({ i, arrival, conversationId }) => {
    const id = inserted.get(arrival.providerMessageId);
    answers[i] = id === undefined ? DUPLICATE : { status: "stored", id, conversationId };
    return id !== undefined;
  });
  await touchConversations(tx, stored);
  return answers;
}

type Placed = { i: number; arrival: Arrival; conversationId: string };

// Which conversation an inbound SMS belongs to, named once: the upsert's conflict target, and the same key
// read from a row, so each conversation gets one upsert row and each SMS finds its conversation's id.
const CONVERSATION_TARGET = sql.raw("contact_number, virtual_number");
type ConversationRow = { contactNumber: string; virtualNumber: string };
const conversationKey = (row: ConversationRow) => `${row.contactNumber} ${row.virtualNumber}`;

/**
 * One upsert for every sender in the batch; answers each SMS's conversation
 * id by position. DO UPDATE (not DO NOTHING) so the rows come back and stay
 * locked until commit. Rows go in key order (a function scan keeps its
 * input's order), so two batches that share senders, on this or another
 * instance, wait for each other rather than deadlock.
 */
async function upsertConversations(tx: Db, texts: InboundSms[]): Promise<string[]> {
  const keys = texts.map((sms) => conversationKey({ contactNumber: sms.from, virtualNumber: sms.to }));
  const rows = new Map<string, ConversationRow>();
  // A new conversation gets the first SMS's numbers, as if they had been stored one by one.
  texts.forEach((sms, n) => {
    if (!rows.has(keys[n]!)) rows.set(keys[n]!, { contactNumber: sms.from, virtualNumber: sms.to });
  });
  const sorted = [...rows.keys()].sort().map((key) => rows.get(key)!);
  const upserted = await preparedRows<{ id: string } & ConversationRow>(
    tx,
    "upsert_inbound_conversations",
    // A no-op update, only for the row lock and RETURNING. Ownership is never
    // rewritten here: claiming and removing a number own it, and a value read
    // from this statement's snapshot could undo a removal committed meanwhile.
    sql`insert into ${conversations} (contact_number, virtual_number, user_id)
        select v."contactNumber", v."virtualNumber", (select u.id from ${users} u where u.phone_number = v."contactNumber")
        from jsonb_to_recordset(${JSON.stringify(sorted)}::jsonb) as v("contactNumber" text, "virtualNumber" text)
        on conflict (${CONVERSATION_TARGET}) do update set contact_number = excluded.contact_number
        returning id, contact_number as "contactNumber", virtual_number as "virtualNumber"`,
  );
  const ids = new Map(upserted.map((row) => [conversationKey(row), row.id]));
  return keys.map((key) => ids.get(key)!);
}

/** Which of these provider ids are already stored. */
async function storedEarlier(tx: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await preparedRows<{ id: string }>(
    tx,
    "inbound_stored_earlier",
    sql`select provider_message_id as id from ${messages}
        where provider_message_id in (select jsonb_array_elements_text(${JSON.stringify(ids)}::jsonb))`,
  );
  return new Set(rows.map((row) => row.id));
}

/** One insert for the batch; answers the new message ids by provider id (a conflict means a duplicate). */
async function insertMessages(tx: Db, placed: Placed[]): Promise<Map<string, string>> {
  if (placed.length === 0) return new Map();
  const rows = placed.map(({ arrival: { sms, providerMessageId, receivedAt }, conversationId }) => ({
    conversationId,
    body: sms.body,
    fromNumber: sms.from,
    toNumber: sms.to,
    providerMessageId,
    segments: countSegments(sms.body).segments,
    createdAt: receivedAt,
  }));
  const inserted = await preparedRows<{ id: string; providerMessageId: string }>(
    tx,
    "insert_inbound_messages",
    sql`insert into ${messages} (conversation_id, direction, body, from_number, to_number, status, provider_message_id, segments, created_at, status_at)
        select v."conversationId", 'inbound', v.body, v."fromNumber", v."toNumber", 'received', v."providerMessageId", v.segments, v."createdAt", v."createdAt"
        from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as v(
          "conversationId" uuid, body text, "fromNumber" text, "toNumber" text, "providerMessageId" text, segments int, "createdAt" timestamptz)
        on conflict (provider_message_id) do nothing
        returning id, provider_message_id as "providerMessageId"`,
  );
  return new Map(inserted.map((row) => [row.providerMessageId, row.id]));
}

/**
 * What the stored messages change on their conversations, in one update: the
 * latest message time, and consent as the keywords would leave it applied in
 * arrival order (the last one wins; an opt-out after an opt-in starts anew).
 */
async function touchConversations(tx: Db, stored: Placed[]) {
  if (stored.length === 0) return;
  type Change = {
    id: string;
    lastMessageAt: Date;
    consent: ConsentKeyword | "opt-out-anew" | null;
    consentAt: Date | null;
  };
  const changes = new Map<string, Change>();
  for (const { arrival, conversationId } of stored) {
    const change = changes.get(conversationId) ?? {
      id: conversationId,
      lastMessageAt: arrival.receivedAt,
      consent: null,
      consentAt: null,
    };
    changes.set(conversationId, change);
    if (arrival.receivedAt > change.lastMessageAt) change.lastMessageAt = arrival.receivedAt;
    const keyword = consentKeyword(arrival.sms.body);
    if (keyword === "opt-in") Object.assign(change, { consent: "opt-in", consentAt: null });
    else if (keyword === "opt-out" && (change.consent === null || change.consent === "opt-in"))
      Object.assign(change, { consent: change.consent ? "opt-out-anew" : "opt-out", consentAt: arrival.receivedAt });
  }
  await preparedRows(
    tx,
    "touch_inbound_conversations",
    // A new SMS reopens a resolved conversation: the contact needs the team again (a redelivery does not).
    sql`update ${conversations} c set
          last_message_at = greatest(c.last_message_at, v."lastMessageAt"),
          resolved_at = null,
          opted_out_at = case v.consent
            when 'opt-in' then null
            when 'opt-out' then coalesce(c.opted_out_at, v."consentAt")
            when 'opt-out-anew' then v."consentAt"
            else c.opted_out_at end
        from jsonb_to_recordset(${JSON.stringify([...changes.values()])}::jsonb)
          as v(id uuid, "lastMessageAt" timestamptz, consent text, "consentAt" timestamptz)
        where c.id = v.id`,
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
