import type { AdapterAccountType } from "@auth/core/adapters";
import { sql, type SQL } from "drizzle-orm";
import {
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import type { WeeklyHours } from "../../../lib/business-hours";

// Millisecond precision everywhere: JS Dates round-trip exactly, which keyset
// pagination on (createdAt, id) relies on.
const at = (name?: string) =>
  name
    ? timestamp(name, { withTimezone: true, precision: 3, mode: "date" })
    : timestamp({ withTimezone: true, precision: 3, mode: "date" });
const createdAt = () => at().notNull().defaultNow();

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

export const userRole = pgEnum("user_role", ["member", "agent", "admin"]);
export const messageDirection = pgEnum("message_direction", ["inbound", "outbound"]);
/**
 * Who wrote a message: the contact (inbound), a signed-in user (`authorUserId`, null once that
 * account is deleted), or the app itself: a phone verification code, or another automatic SMS.
 */
export const messageAuthor = pgEnum("message_author", ["contact", "user", "verification-code", "system"]);
export const messageStatus = pgEnum("message_status", [
  "received",
  "queued",
  "sent",
  "buffered",
  "delivered",
  "failed",
  "expired",
  /** Withdrawn by a person before it went out: never sent. */
  "cancelled",
]);

/** Auth.js adapter columns plus ours; ours are nullable or defaulted, since the adapter inserts only its own. */
export const users = pgTable("users", {
  id: text()
    .primaryKey()
    .$defaultFn(() => crypto.randomUUID()),
  name: text(),
  email: text().unique(),
  emailVerified: at(),
  image: text(),
  passwordHash: text(),
  phoneNumber: text().unique(),
  phoneVerifiedAt: at(),
  role: userRole().notNull().default("member"),
  /** Carried in every session token; bumping it ends all of this user's sessions on their next request. */
  sessionVersion: integer().notNull().default(0),
  /** Set while an admin has switched the account off: it cannot sign in, and its sessions ended when this was set. */
  deactivatedAt: at(),
  /** Set while an agent or admin has said they are away: automations give them no new conversations. */
  awaySince: at(),
  createdAt: createdAt(),
  updatedAt: at()
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
});

export const accounts = pgTable(
  "accounts",
  {
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text().$type<AdapterAccountType>().notNull(),
    provider: text().notNull(),
    providerAccountId: text().notNull(),
    refresh_token: text(),
    access_token: text(),
    expires_at: integer(),
    token_type: text(),
    scope: text(),
    id_token: text(),
    session_state: text(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.providerAccountId] })],
);

export const sessions = pgTable("sessions", {
  sessionToken: text().primaryKey(),
  userId: text()
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  expires: at().notNull(),
});

export const verificationTokens = pgTable(
  "verification_tokens",
  {
    identifier: text().notNull(),
    token: text().notNull(),
    expires: at().notNull(),
  },
  (t) => [primaryKey({ columns: [t.identifier, t.token] })],
);

export const phoneVerifications = pgTable(
  "phone_verifications",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    phoneNumber: text().notNull(),
    codeHash: text().notNull(),
    expiresAt: at().notNull(),
    attempts: integer().notNull().default(0),
    consumedAt: at(),
    /** Outbox: the SMS text, sealed (it holds the code), until it went out or failed. */
    sealedText: text(),
    /** Outbox: `queued` until the provider took it (`sent`) or refused it (`failed`, with `sendError`). */
    sendStatus: text().$type<"queued" | "sent" | "failed">().notNull().default("sent"),
    /** Why the last attempt failed; while queued, why it is waiting. */
    sendError: text(),
    sendAttempts: integer().notNull().default(0),
    /** Outbox: an attempt holds the SMS until then. */
    sendingUntil: at(),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.userId, t.createdAt), index().on(t.phoneNumber, t.createdAt)],
);

/**
 * Our MessageBird numbers (E.164) and alphanumeric senders, which can only send.
 * A number nobody added but someone texted is stored unlisted (no label) so
 * nothing is dropped, and waits for an admin to name it.
 */
export const numbers = pgTable("numbers", {
  id: uuid().primaryKey().defaultRandom(),
  number: text().notNull().unique(),
  /** Null = unlisted: it received SMS before anyone added it. */
  label: text(),
  createdAt: createdAt(),
  /** Archived numbers keep receiving and keep their history, but start no new conversations. */
  archivedAt: at(),
});

export const conversations = pgTable(
  "conversations",
  {
    id: uuid().primaryKey().defaultRandom(),
    /** The external party, E.164. One conversation per contact and our number. */
    contactNumber: text().notNull(),
    /** Which of our numbers (`numbers.number`) the contact talks to; every reply goes out from it. */
    virtualNumber: text().notNull(),
    /** The member who verified contactNumber; null = unclaimed (agents still see it). */
    userId: text().references(() => users.id, { onDelete: "set null" }),
    assigneeId: text().references(() => users.id, { onDelete: "set null" }),
    optedOutAt: at(),
    /** Null while open: the team's to-do list. A new inbound SMS clears it. */
    resolvedAt: at(),
    lastMessageAt: at(),
    createdAt: createdAt(),
    /** When the last away reply went out: one per AWAY_REPLY_EVERY, claimed by a conditional UPDATE. */
    awayRepliedAt: at(),
  },
  (t) => [
    uniqueIndex("conversations_contact_number_virtual_number_idx").on(t.contactNumber, t.virtualNumber),
    index().on(t.virtualNumber),
    index().on(t.userId),
    index().on(t.lastMessageAt.desc()),
    // The inbox's order and keyset: latest activity first; a conversation nobody has texted yet counts from its creation.
    index("conversations_activity_idx").on(sql`(coalesce(${t.lastMessageAt}, ${t.createdAt})) desc`, sql`${t.id} desc`),
    index().on(t.assigneeId),
  ],
);

export const messages = pgTable(
  "messages",
  {
    id: uuid().primaryKey().defaultRandom(),
    conversationId: uuid()
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    direction: messageDirection().notNull(),
    body: text().notNull(),
    fromNumber: text().notNull(),
    toNumber: text().notNull(),
    status: messageStatus().notNull(),
    /** MessageBird's id: unique so a redelivered webhook is stored once. */
    providerMessageId: text().unique(),
    /** From the reply form: unique so a resubmitted form sends once. */
    idempotencyKey: text().unique(),
    author: messageAuthor().notNull().default("contact"),
    authorUserId: text().references(() => users.id, { onDelete: "set null" }),
    errorCode: text(),
    errorMessage: text(),
    segments: integer().notNull().default(1),
    /** Outbox: attempts made at sending it. */
    attempts: integer().notNull().default(0),
    /**
     * Outbox: when it next acts on the message: a queued one's next attempt after a transient failure,
     * a sent one's next delivery-status lookup. Null while nothing is scheduled.
     */
    nextAttemptAt: at(),
    /** Outbox: when the provider first failed it, so "unreachable since" can be told. */
    waitingSince: at(),
    /** Outbox: the last attempt may have reached the provider; ask it before sending again. */
    outcomeUnknown: boolean().notNull().default(false),
    /** Outbox: an attempt holds the message until then; still set after it means that attempt never finished. */
    sendingUntil: at(),
    createdAt: createdAt(),
    statusAt: at().notNull().defaultNow(),
    /**
     * The text's words, stored so ranking reads them instead of parsing every hit again.
     * 'simple' (no stemming, no stop words): SMS come in any language.
     */
    searchVector: tsvector()
      .notNull()
      .generatedAlwaysAs((): SQL => sql`to_tsvector('simple', ${messages.body})`),
  },
  // Ascending, scanned backwards for "newest first": that order is DESC NULLS FIRST, which a
  // DESC NULLS LAST index (drizzle's .desc()) would not serve without a sort.
  (t) => [
    index("messages_thread_idx").on(t.conversationId, t.createdAt, t.id),
    index("messages_search_idx").using("gin", t.searchVector),
    // A common word's newest hits, found by walking back in time rather than collecting every hit.
    index("messages_created_at_idx").on(t.createdAt),
    // Replies not yet confirmed (not sent, or no final report): the outbox banner and the report sweep read only these.
    // The reports' "turns" (the contact's SMS and people's replies): the one before an SMS, a start's first reply.
    index("messages_turns_idx")
      .on(t.conversationId, t.createdAt)
      .where(sql`${t.direction} = 'inbound' or ${t.author} = 'user'`),
    index("messages_unconfirmed_idx")
      .on(t.statusAt)
      .where(sql`${t.direction} = 'outbound' and ${t.status} in ('queued', 'sent', 'buffered')`),
  ],
);

/**
 * What the team knows about a contact, by their number (E.164): one row however
 * many of our numbers they text. The team's own; the member never sees it.
 */
export const contacts = pgTable("contacts", {
  id: uuid().primaryKey().defaultRandom(),
  number: text().notNull().unique(),
  /** Null: the name of the member whose number it is, if anyone's. */
  name: text(),
  note: text(),
  updatedById: text().references(() => users.id, { onDelete: "set null" }),
  updatedAt: at().notNull().defaultNow(),
});

/** The team's internal notes in a thread: never sent, never shown to the member. */
export const notes = pgTable(
  "notes",
  {
    id: uuid().primaryKey().defaultRandom(),
    conversationId: uuid()
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    /** Null once the author's account is deleted; the note stays for the team. */
    authorUserId: text().references(() => users.id, { onDelete: "set null" }),
    body: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("notes_thread_idx").on(t.conversationId, t.createdAt, t.id)],
);

export const conversationReads = pgTable(
  "conversation_reads",
  {
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    conversationId: uuid()
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    lastReadAt: at().notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.conversationId] })],
);

/**
 * What an admin reads when "messages are not arriving". Never secrets, never whole bodies.
 * One row per route, status, reason and source per minute, with a count, so a flood is one line.
 */
export const webhookRejections = pgTable(
  "webhook_rejections",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    createdAt: createdAt(),
    /** Start of the minute this row aggregates. */
    minute: at()
      .notNull()
      .default(sql`date_trunc('minute', now())`),
    /** Last time a refusal was added to this row. */
    lastAt: at().notNull().defaultNow(),
    count: integer().notNull().default(1),
    route: text().notNull(),
    status: integer().notNull(),
    reason: text().notNull(),
    sourceIp: text().notNull().default("unknown"),
    /** The first refusal's excerpt of the minute. */
    excerpt: text(),
  },
  (t) => [
    index().on(t.createdAt.desc()),
    uniqueIndex("webhook_rejections_bucket_idx").on(t.minute, t.route, t.status, t.reason, t.sourceIp),
  ],
);

/** Signed-out session ids (the token's `sid`), kept until the token would have expired anyway. */
export const revokedSessions = pgTable("revoked_sessions", {
  sid: text().primaryKey(),
  expiresAt: at().notNull(),
});

/** Seen `jti`s of signed webhooks, shared by every instance, to refuse replays. */
export const webhookNonces = pgTable("webhook_nonces", {
  jti: text().primaryKey(),
  expiresAt: at().notNull(),
});

/** Fixed-window counters shared by every instance (login, registration, codes). */
export const rateLimits = pgTable("rate_limits", {
  key: text().primaryKey(),
  count: integer().notNull(),
  resetAt: at().notNull(),
});

/** SMS the simulator gateway "delivered" to handsets, shown on /dev/phone. */
export const simulatedSms = pgTable(
  "simulated_sms",
  {
    id: uuid().primaryKey().defaultRandom(),
    providerMessageId: text().notNull().unique(),
    fromNumber: text().notNull(),
    toNumber: text().notNull(),
    body: text().notNull(),
    reference: text(),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.toNumber, t.createdAt)],
);

/**
 * Single-use links that let someone register as an agent or admin. Only the
 * token's SHA-256 is stored: a database leak hands out no working links.
 */
export const invites = pgTable("invites", {
  id: uuid().primaryKey().defaultRandom(),
  tokenHash: text().notNull().unique(),
  role: userRole().notNull(),
  createdById: text().references(() => users.id, { onDelete: "set null" }),
  expiresAt: at().notNull(),
  usedAt: at(),
  usedById: text().references(() => users.id, { onDelete: "set null" }),
  createdAt: createdAt(),
});

/**
 * The team's saved replies ("canned responses"): shared by every agent and admin, who may all edit
 * them. The creator is kept for the list; `{name}` and `{agent}` in `body` are filled in on insert.
 */
export const savedReplies = pgTable("saved_replies", {
  id: uuid().primaryKey().defaultRandom(),
  title: text().notNull(),
  body: text().notNull(),
  createdById: text().references(() => users.id, { onDelete: "set null" }),
  createdAt: createdAt(),
  updatedAt: at()
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
});

/**
 * Webhook endpoints /team/provider registered with the Bird platform. Bird
 * shows an endpoint's signing secret once, in the answer that creates it: it
 * is kept sealed (platform/secret-box.ts), never in plain text.
 */
export const birdWebhooks = pgTable("bird_webhooks", {
  /** Bird's endpoint id (`whk_…`). */
  id: text().primaryKey(),
  url: text().notNull(),
  sealedSecret: text().notNull(),
  createdAt: createdAt(),
});

/** The team's labels (admins keep the list); a name is unique however it is capitalised. */
export const labels = pgTable(
  "labels",
  {
    id: uuid().primaryKey().defaultRandom(),
    name: text().notNull(),
    /** One of the palette's names (`app/lib/labels.ts`), so every colour keeps its contrast in the UI. */
    colour: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("labels_name_idx").on(sql`lower(${t.name})`)],
);

/** Which labels a conversation carries. Staff add and remove them; a member never sees them. */
export const conversationLabels = pgTable(
  "conversation_labels",
  {
    conversationId: uuid()
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    labelId: uuid()
      .notNull()
      .references(() => labels.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.labelId] }), index().on(t.labelId, t.conversationId)],
);

export const conversationEventKind = pgEnum("conversation_event_kind", [
  "assigned",
  "unassigned",
  "resolved",
  "reopened",
  /** An automation wanted to assign it and found nobody available (all away, deactivated or at capacity). */
  "none-available",
]);

/**
 * What happened to a conversation's handling, and who did it: the thread's
 * system lines and the reports (resolution times, reopenings) read it.
 */
export const conversationEvents = pgTable(
  "conversation_events",
  {
    id: uuid().primaryKey().defaultRandom(),
    conversationId: uuid()
      .notNull()
      .references(() => conversations.id, { onDelete: "cascade" }),
    kind: conversationEventKind().notNull(),
    /** Who did it; null when the app did (an automation) or that account is gone. */
    actorUserId: text().references(() => users.id, { onDelete: "set null" }),
    /** `assigned`: to whom. */
    assigneeId: text().references(() => users.id, { onDelete: "set null" }),
    /** What decided it when no person did, e.g. `round-robin`; null for a person's action. */
    via: text(),
    createdAt: createdAt(),
  },
  (t) => [
    index().on(t.conversationId, t.createdAt),
    index().on(t.kind, t.createdAt),
    // Round robin's tie-break: when each agent was last given a conversation.
    index().on(t.assigneeId, t.createdAt),
    // Who resolved how many in a period: read from the index alone.
    index("conversation_events_resolved_idx")
      .on(t.createdAt, t.actorUserId, t.conversationId)
      .where(sql`${t.kind} = 'resolved'`),
  ],
);

/**
 * A browser's Web Push subscription: one row per user and endpoint, a user has one per device.
 * The endpoint's URL and keys come from the browser's PushManager.
 */
export const pushSubscriptions = pgTable(
  "push_subscriptions",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    endpoint: text().notNull(),
    /** The browser's P-256 public key and auth secret, base64url: what each push is encrypted for. */
    p256dh: text().notNull(),
    auth: text().notNull(),
    /** What the device list calls it ("Chrome on Android"), from the browser's User-Agent when it subscribed. */
    device: text().notNull(),
    /**
     * The sign-in it was made under (its `sid` and session version): a browser that signed out,
     * or whose sessions were all ended, hears nothing more, whoever uses it next.
     */
    sessionId: text().notNull(),
    sessionVersion: integer().notNull(),
    /** When that sign-in's token expires: a sign-in that lapsed without signing out hears nothing either (null: from before this was kept). */
    sessionExpiresAt: at(),
    createdAt: createdAt(),
    lastPushedAt: at(),
  },
  (t) => [uniqueIndex("push_subscriptions_user_endpoint_idx").on(t.userId, t.endpoint)],
);

/** What a user wants to be told about by push; no row = the defaults. */
export const notificationSettings = pgTable("notification_settings", {
  userId: text()
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  /** Staff: a contact texts for the first time. */
  newConversation: boolean().notNull().default(true),
  /** Staff: a message in a conversation assigned to them. */
  assignedToMe: boolean().notNull().default(true),
  /** Staff: a message in a conversation nobody is assigned to. */
  unassigned: boolean().notNull().default(true),
  /** "New message" instead of the text, for lock screens others can see. */
  hideText: boolean().notNull().default(false),
});

/**
 * What a number answers by itself: its opening hours (a week in its own time
 * zone) with the away message sent outside them, and its answer to HELP.
 * No row: hours off and the default help text.
 */
export const numberAutomations = pgTable("number_automations", {
  numberId: uuid()
    .primaryKey()
    .references(() => numbers.id, { onDelete: "cascade" }),
  hoursOn: boolean().notNull().default(false),
  /** IANA name, e.g. Europe/Amsterdam. */
  timeZone: text().notNull(),
  /** Seven days, Monday first (`app/lib/business-hours.ts`). */
  weeklyHours: jsonb().$type<WeeklyHours>().notNull(),
  awayMessage: text().notNull(),
  /** Null: the default, which names the number's team and says how to opt out. */
  helpText: text(),
  updatedAt: at().notNull().defaultNow(),
});

/**
 * Where Birdline posts its own events (outgoing webhooks, /settings/webhooks). The signing secret
 * is kept sealed (platform/secret-box.ts); after a rotation the previous one signs alongside the
 * new one for a day, so a receiver can switch over without refusing anything.
 */
export const webhookEndpoints = pgTable("webhook_endpoints", {
  id: uuid().primaryKey().defaultRandom(),
  url: text().notNull(),
  /** Event types it receives (`message.received`, …; app/lib/outgoing-webhook-schemas.ts). */
  events: text().array().notNull(),
  active: boolean().notNull().default(true),
  sealedSecret: text().notNull(),
  previousSealedSecret: text(),
  previousSecretUntil: at(),
  /** The first failed attempt since the last success: three days of failures turn the endpoint off. */
  failingSince: at(),
  /** Why Birdline turned it off (null when a person did, or it is on). */
  disabledReason: text(),
  disabledAt: at(),
  createdAt: createdAt(),
  updatedAt: at()
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
});

export const webhookDeliveryStatus = pgEnum("webhook_delivery_status", ["pending", "succeeded", "failed"]);

/** One event for one endpoint: the body is fixed when the event happens, and every attempt posts it. */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    /** `msg_…`: the `webhook-id` header on every attempt, so receivers can drop a repeat. */
    id: text().primaryKey(),
    endpointId: uuid()
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    eventType: text().notNull(),
    /** The JSON posted, `{ type, timestamp, data }`, byte for byte as signed. */
    body: text().notNull(),
    status: webhookDeliveryStatus().notNull().default("pending"),
    attempts: integer().notNull().default(0),
    nextAttemptAt: at(),
    /** Retries end a day after this: the event, or the admin's Resend. */
    retrySince: at().notNull().defaultNow(),
    /** An attempt holds the delivery until then, so a second job for it never posts at the same time. */
    sendingUntil: at(),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.endpointId, t.createdAt), index().on(t.createdAt)],
);

/** Each POST of a delivery and what the receiver answered (an excerpt only). */
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    deliveryId: text()
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    startedAt: at().notNull(),
    durationMs: integer().notNull(),
    /** The HTTP status; null when no answer came (refused address, timeout, connection error). */
    statusCode: integer(),
    error: text(),
    responseExcerpt: text(),
  },
  (t) => [index().on(t.deliveryId, t.startedAt)],
);

/**
 * Numbers whose new conversations round robin assigns (a row: on; none: off),
 * and at most how many open conversations an agent may hold before it passes
 * them by (null: no limit). See automations/round-robin.ts.
 */
export const autoAssignment = pgTable("auto_assignment", {
  numberId: uuid()
    .primaryKey()
    .references(() => numbers.id, { onDelete: "cascade" }),
  capacity: integer(),
  updatedAt: at()
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date()),
});

export const apiTokenScope = pgEnum("api_token_scope", ["read", "read+send"]);

/**
 * A person's access tokens for the REST API (`/settings/tokens`). Only the
 * SHA-256 of a token is kept: it is shown once, and a database dump reveals
 * none. A token acts as its user, so deleting or deactivating the user ends it.
 */
export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    name: text().notNull(),
    scope: apiTokenScope().notNull(),
    /** Hex SHA-256 of the whole token: every request finds its token by this. */
    tokenHash: text().notNull().unique(),
    expiresAt: at(),
    /** Written at most once a minute per token. */
    lastUsedAt: at(),
    createdAt: createdAt(),
  },
  (t) => [index().on(t.userId, t.createdAt)],
);

/**
 * `Idempotency-Key` answers of `POST /api/v1/messages`, per user and key, for
 * 24 hours: the row is claimed before the send, its id is the message's own
 * idempotency key, and the answer is kept for the repeats.
 */
export const apiIdempotencyKeys = pgTable(
  "api_idempotency_keys",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: text()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    key: text().notNull(),
    /** SHA-256 of the request as parsed: the same key with another request is refused. */
    requestHash: text().notNull(),
    responseStatus: integer(),
    /** The answer's JSON as sent (text, not jsonb, which would reorder its keys): repeats get the same bytes. */
    responseBody: text(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex().on(t.userId, t.key), index().on(t.createdAt)],
);

/**
 * The reports' rollups (decision 015): what /reports reads instead of a million messages. Kept by
 * app/.server/reports/rollup.ts from the marks the triggers of this table's migration leave in
 * `report_stale`, so they follow every write to messages and resolutions, however it is made.
 */

/** Each start of a conversation (the definitions are in reports/rollup.ts), with its first reply and resolution. */
export const reportStarts = pgTable(
  "report_starts",
  {
    // No foreign key: deleting a conversation deletes its messages, whose marks clear these rows.
    conversationId: uuid().notNull(),
    startedAt: at().notNull(),
    /** Our number the starting SMS came in on or went out from. */
    number: text().notNull(),
    /** A person texted first: such a start has no first response. */
    byTeam: boolean().notNull(),
    firstReplyAt: at(),
    /** Who gave that first reply; null once their account is gone. */
    replierId: text(),
    resolvedAt: at(),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.startedAt] }), index().on(t.startedAt)],
);

/**
 * SMS counts per quarter of an hour (UTC) and our number: every time zone's midnights and hours
 * fall on a quarter hour, so local days and the hour heatmap add these up exactly. The row without
 * a person counts everything; beside it, one per person counts only their replies (the agents'
 * table), so the days, numbers and heatmap read a fraction of the rows.
 */
export const reportVolume = pgTable(
  "report_volume",
  {
    bucket: at().notNull(),
    number: text().notNull(),
    /** Null: all the SMS. A person: their replies alone, in `byPeople`. */
    userId: text(),
    inbound: integer().notNull(),
    byPeople: integer().notNull(),
    automatic: integer().notNull(),
    segments: integer().notNull(),
  },
  (t) => [
    index("report_volume_totals_idx")
      .on(t.bucket)
      .where(sql`${t.userId} is null`),
    index("report_volume_people_idx")
      .on(t.bucket)
      .where(sql`${t.userId} is not null`),
  ],
);

/**
 * Conversations whose contact waits for a person: an SMS of theirs came after the last reply by a
 * person and the last resolution. Whether the conversation is open is read live.
 */
export const reportWaiting = pgTable("report_waiting", {
  conversationId: uuid().primaryKey(),
  /** The first such SMS. */
  since: at().notNull(),
});

/** What changed since the rollups were last brought up to date: one row per writing statement. */
export const reportStale = pgTable("report_stale", {
  conversationIds: uuid().array().notNull(),
  buckets: at().array().notNull(),
});
