import { and, eq, inArray, isNotNull, isNull, ne, sql, type SQL } from "drizzle-orm";
import {
  MATCH_END,
  MATCH_START,
  splitSnippet,
  VIEW_COUNT_CAP,
  VIEWS,
  type InboxQuery,
  type Snippet,
  type View,
} from "~/lib/inbox";
import { parseUserPhone } from "~/lib/phone";
import { isStaff } from "~/lib/roles";
import { seesInternal, visibleTo, type Viewer } from "./access";
import { contactNameHits, contactNamesOf } from "./contacts";
import { db } from "../platform/db/client";
import { containing } from "../platform/db/like";
import { conversationReads, conversations, messages, numbers, users } from "../platform/db/schema";
import { env } from "../platform/env";
import { isUuid } from "../platform/db/uuid";
import { UNREAD_CAP } from "~/lib/unread";
import { unreadIn } from "./threads";
import { accountName } from "../identity/names";
import { carriesLabel, carriesLabelNamed, labelsOf, type Label } from "./labels";
import { splitLabelSearch } from "~/lib/labels";

/**
 * The staff inbox: views, open/resolved, search, keyset pages and the views'
 * counts. Every filter is one more condition on `conversations`, so they
 * compose; who may see what is still access.ts's.
 */

export type ConversationSummary = {
  id: string;
  contactNumber: string;
  /** What the team calls them (contacts.ts); null for a member, who sees only their own number. */
  contactName: string | null;
  optedOut: boolean;
  /** Which of our numbers it is on. */
  ourNumber: { number: string; label: string | null };
  /** Who handles it: the team's (access.seesInternal), null for a member. */
  handling: { claimed: boolean; resolved: boolean; assignee: { id: string; name: string } | null } | null;
  /** Its labels: the team's, null for a member. */
  labels: Label[] | null;
  lastMessageAt: Date | null;
  lastMessage: { body: string; direction: "inbound" | "outbound" } | null;
  unread: number;
  /** With a search: the best-matching message's text around the terms. */
  snippet: Snippet | null;
};

export type InboxPage = {
  conversations: ConversationSummary[];
  /** Cursor for the next page, or null on the last one. */
  next: string | null;
};

export const INBOX_PAGE_SIZE = 50;

// Latest activity; a conversation nobody has texted yet counts from its creation (conversations_activity_idx).
const activity = sql<Date>`coalesce(${conversations.lastMessageAt}, ${conversations.createdAt})`;

/** The viewer's read mark on each conversation, joined once so unread is an index probe per row. */
const readMark = (viewer: Viewer) =>
  and(eq(conversationReads.conversationId, conversations.id), eq(conversationReads.userId, viewer.id));

const hasUnread = (viewer: Viewer) =>
  sql`exists (select 1 from ${messages} where ${messages.conversationId} = ${conversations.id}
     and ${unreadIn(viewer, conversationReads.lastReadAt)})`;

function viewCondition(view: View, viewer: Viewer): SQL | undefined {
  switch (view) {
    case "all":
      return undefined;
    case "mine":
      return eq(conversations.assigneeId, viewer.id);
    case "unassigned":
      return isNull(conversations.assigneeId);
    case "unclaimed":
      return isNull(conversations.userId);
    case "unread":
      return hasUnread(viewer);
    case "opted-out":
      return isNotNull(conversations.optedOutAt);
  }
}

// Open and resolved sort the team's work; a member sees all of their own conversations either way.
const statusCondition = (viewer: Viewer, status: InboxQuery["status"]) =>
  !isStaff(viewer)
    ? undefined
    : status === "open"
      ? isNull(conversations.resolvedAt)
      : isNotNull(conversations.resolvedAt);

const numberCondition = (numberId: InboxQuery["number"]) =>
  numberId
    ? eq(conversations.virtualNumber, sql`(select ${numbers.number} from ${numbers} where ${numbers.id} = ${numberId})`)
    : undefined;

/** What narrows every view: open or resolved, our number, the search, and a label (none when absent). */
type Filters = Pick<InboxQuery, "status" | "number" | "q"> & Partial<Pick<InboxQuery, "label">>;

/** `?label=` and search's `label:billing` words; labels are the team's, so a member's list ignores them. */
const labelConditions = (viewer: Viewer, query: Filters) =>
  seesInternal(viewer)
    ? and(
        query.label ? carriesLabel(query.label) : undefined,
        ...splitLabelSearch(query.q).labels.map(carriesLabelNamed),
      )
    : undefined;

/** The conditions every view shares: who may see it, open or resolved, which of our numbers, which labels. */
const baseConditions = (viewer: Viewer, query: Filters) =>
  and(
    visibleTo(viewer),
    statusCondition(viewer, query.status),
    numberCondition(query.number),
    labelConditions(viewer, query),
  );

/** The words a search ranks by: the search without its `label:` words. */
const searchWords = (query: Pick<InboxQuery, "q">) => splitLabelSearch(query.q).words;

/** How many of the newest messages containing the words a search ranks and counts. */
export const RANKED_MESSAGES = 2000;

/**
 * The search's hits as rows (conversation_id, rank, message_id), from each
 * source a search looks in. Numbers and names (contacts.ts's, as the list
 * shows them) outrank message text (whose ts_rank stays below 1); a further
 * source is one more member of the union.
 */
function searchHits(term: string): SQL {
  const sources: SQL[] = [];
  const number = parseUserPhone(term, env.defaultCountry);
  const digits = term.replace(/[\s().+-]/g, "");
  if (number) {
    sources.push(sql`select ${conversations.id}, 3::float8, null::uuid from ${conversations}
                     where ${conversations.contactNumber} = ${number}`);
  } else if (/^\d{3,}$/.test(digits)) {
    sources.push(sql`select ${conversations.id}, 2::float8, null::uuid from ${conversations}
                     where ${conversations.contactNumber} like ${containing(digits)}`);
  }
  sources.push(contactNameHits(containing(term), 2));
  // Only the newest hits are ranked, from their stored words: a word in every eighth message
  // costs the same at 10,000 messages as at a million. A rare word's few hits come from the GIN index.
  const query = sql`websearch_to_tsquery('simple', ${term})`;
  sources.push(sql`select conversation_id, ts_rank(search_vector, ${query})::float8, id
                   from (select ${messages.conversationId} as conversation_id, ${messages.id} as id, ${messages.searchVector} as search_vector
                         from ${messages} where ${messages.searchVector} @@ ${query}
                         order by ${messages.createdAt} desc limit ${RANKED_MESSAGES}) as newest`);
  return sql.join(sources, sql` union all `);
}

/** Best rank per conversation, and its best-ranked message (for the snippet). */
const bestHits = (term: string) =>
  sql`(select conversation_id, max(rank) as rank,
              (array_agg(message_id order by rank desc) filter (where message_id is not null))[1] as message_id
       from (${searchHits(term)}) as hits(conversation_id, rank, message_id)
       group by conversation_id) as best`;

/** The statement behind one inbox page: limit + 1 rows, the extra one says there is a next page. Exported for EXPLAIN. */
export function inboxRows(viewer: Viewer, query: InboxQuery, limit = INBOX_PAGE_SIZE) {
  const words = searchWords(query);
  const searching = words !== "";
  const rank = sql<number>`best.rank`;
  const cursor = decodeCursor(query.after);
  const cursorCondition = cursor
    ? searching
      ? sql`(${rank}, ${activity}, ${conversations.id}) < (${cursor.rank}::float8, ${cursor.at}::timestamptz, ${cursor.id}::uuid)`
      : sql`(${activity}, ${conversations.id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`
    : undefined;
  const latest = <T>(column: typeof messages.body | typeof messages.direction) =>
    sql<T>`(select ${column} from ${messages} where ${messages.conversationId} = ${conversations.id}
            order by ${messages.createdAt} desc, ${messages.id} desc limit 1)`;
  const unreadCount = sql<number>`(
    select count(*)::int from (
      select 1 from ${messages}
      where ${messages.conversationId} = ${conversations.id} and ${unreadIn(viewer, conversationReads.lastReadAt)}
      limit ${UNREAD_CAP}
    ) as unread_messages
  )`;

  const base = db
    .select({
      id: conversations.id,
      contactNumber: conversations.contactNumber,
      userId: conversations.userId,
      assigneeId: conversations.assigneeId,
      optedOutAt: conversations.optedOutAt,
      resolvedAt: conversations.resolvedAt,
      ourNumber: conversations.virtualNumber,
      ourNumberLabel: numbers.label,
      lastMessageAt: conversations.lastMessageAt,
      activity: sql<string>`${activity}::text`,
      lastBody: latest<string | null>(messages.body),
      lastDirection: latest<"inbound" | "outbound" | null>(messages.direction),
      unread: unreadCount,
      rank: searching ? sql<number>`${rank}` : sql<number>`0::float8`,
      matchId: searching ? sql<string | null>`best.message_id` : sql<string | null>`null::uuid`,
    })
    .from(conversations);
  return (searching ? base.innerJoin(bestHits(words), sql`best.conversation_id = ${conversations.id}`) : base)
    .leftJoin(numbers, eq(numbers.number, conversations.virtualNumber))
    .leftJoin(conversationReads, readMark(viewer))
    .where(and(baseConditions(viewer, query), viewCondition(query.view, viewer), cursorCondition))
    .orderBy(...(searching ? [sql`${rank} desc`] : []), sql`${activity} desc`, sql`${conversations.id} desc`)
    .limit(limit + 1);
}

/** One page of `viewer`'s inbox: a view, open or resolved, optionally searched; ranked by the best match when searched. */
export async function listInbox(viewer: Viewer, query: InboxQuery, limit = INBOX_PAGE_SIZE): Promise<InboxPage> {
  const words = searchWords(query);
  const rows = await inboxRows(viewer, query, limit);

  const page = rows.slice(0, limit);
  const internal = seesInternal(viewer);
  const [names, contactNames, labels, snippets] = await Promise.all([
    internal ? namesOf(page.map((row) => row.assigneeId)) : new Map<string, string>(),
    internal ? contactNamesOf(page.map((row) => row.id)) : new Map<string, string | null>(),
    internal ? labelsOf(page.map((row) => row.id)) : null,
    words
      ? snippetsOf(
          page.flatMap((row) => (row.matchId ? [row.matchId] : [])),
          words,
        )
      : new Map(),
  ]);
  const last = rows.length > limit ? page.at(-1)! : null;
  return {
    conversations: page.map((row) => ({
      id: row.id,
      contactNumber: row.contactNumber,
      contactName: contactNames.get(row.id) ?? null,
      optedOut: row.optedOutAt !== null,
      ourNumber: { number: row.ourNumber, label: row.ourNumberLabel },
      handling: internal
        ? {
            claimed: row.userId !== null,
            resolved: row.resolvedAt !== null,
            assignee: row.assigneeId ? { id: row.assigneeId, name: names.get(row.assigneeId) ?? "Someone" } : null,
          }
        : null,
      labels: labels ? (labels.get(row.id) ?? []) : null,
      lastMessageAt: row.lastMessageAt,
      lastMessage:
        row.lastBody !== null && row.lastDirection ? { body: row.lastBody, direction: row.lastDirection } : null,
      unread: row.unread,
      snippet: row.matchId ? (snippets.get(row.matchId) ?? null) : null,
    })),
    next: last ? encodeCursor({ rank: last.rank, at: last.activity, id: last.id }) : null,
  };
}

/**
 * Each view's count under the same status and search, in one statement. Each
 * count stops at VIEW_COUNT_CAP ("1000+"): past that the number says nothing
 * more to a person, and counting stays cheap on a large inbox.
 */
export async function countViews(viewer: Viewer, query: Filters): Promise<Record<View, number>> {
  const words = searchWords(query);
  // The search's hits are collected once for all six counts, not once per count.
  const base = and(
    baseConditions(viewer, query),
    words ? sql`${conversations.id} in (select conversation_id from search_hits)` : undefined,
  );
  const capped = (view: View) => {
    const inView = db
      .select({ one: sql`1` })
      .from(conversations)
      .leftJoin(conversationReads, readMark(viewer))
      .where(and(base, viewCondition(view, viewer)))
      .limit(VIEW_COUNT_CAP);
    return sql`(select count(*)::int from (${inView}) as in_view) as ${sql.identifier(view)}`;
  };
  const counts = sql.join(VIEWS.map(capped), sql`, `);
  const statement = words
    ? sql`with search_hits as materialized (
            select conversation_id from (${searchHits(words)}) as hits(conversation_id, rank, message_id))
          select ${counts}`
    : sql`select ${counts}`;
  const [row] = (await db.execute(statement)) as unknown as Record<View, number>[];
  return row!;
}

/**
 * The number in the nav and the title: conversations with something `viewer`
 * has not read, counted up to UNREAD_CAP so it stays cheap when many are;
 * `reading` is the one open on this very request.
 */
export async function countUnreadConversations(
  viewer: Viewer,
  { reading }: { reading?: string } = {},
): Promise<number> {
  const unread = db
    .select({ one: sql`1` })
    .from(conversations)
    .leftJoin(conversationReads, readMark(viewer))
    .where(
      and(visibleTo(viewer), hasUnread(viewer), reading && isUuid(reading) ? ne(conversations.id, reading) : undefined),
    )
    .limit(UNREAD_CAP)
    .as("unread");
  const [row] = await db.select({ count: sql<number>`count(*)::int` }).from(unread);
  return row!.count;
}

/** Display names (or emails) of these users. */
async function namesOf(ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== null))];
  if (wanted.length === 0) return new Map();
  const rows = await db
    .select({ id: users.id, name: sql<string>`coalesce(${accountName}, 'Someone')` })
    .from(users)
    .where(inArray(users.id, wanted));
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** ts_headline only for the page's messages: it re-parses each body, too slow for every hit. */
async function snippetsOf(messageIds: string[], term: string): Promise<Map<string, Snippet>> {
  if (messageIds.length === 0) return new Map();
  const options = `StartSel=${MATCH_START}, StopSel=${MATCH_END}, MaxWords=20, MinWords=8, MaxFragments=2, FragmentDelimiter=" … "`;
  const rows = await db
    .select({
      id: messages.id,
      headline: sql<string>`ts_headline('simple', ${messages.body}, websearch_to_tsquery('simple', ${term}), ${options})`,
    })
    .from(messages)
    .where(inArray(messages.id, messageIds));
  return new Map(rows.map((row) => [row.id, splitSnippet(row.headline)]));
}

type Cursor = { rank: number; at: string; id: string };
const POSTGRES_TIMESTAMP = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?[+-]\d{2}(:\d{2})?$/;

// The activity travels as Postgres's own text for the timestamp: microsecond-exact, unlike a JS Date.
function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

function decodeCursor(value: string | null): Cursor | null {
  if (!value) return null;
  try {
    const cursor = JSON.parse(Buffer.from(value, "base64url").toString()) as Partial<Cursor>;
    const valid =
      typeof cursor.rank === "number" &&
      Number.isFinite(cursor.rank) &&
      typeof cursor.at === "string" &&
      POSTGRES_TIMESTAMP.test(cursor.at) &&
      typeof cursor.id === "string" &&
      isUuid(cursor.id);
    return valid ? (cursor as Cursor) : null;
  } catch {
    return null;
  }
}
