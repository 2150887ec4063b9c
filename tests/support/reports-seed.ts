/**
 * A team's history for the reports, in a few set-based statements (generate_series), so a million
 * messages take seconds rather than an hour: conversations spread over the last `days` days, in
 * office hours more than at night, each a contact texting and a person answering within minutes
 * (now and then an auto-reply first), resolved halfway, reopened by the contact, and resolved
 * again, except every twentieth, whose contact is still waiting. Plain SQL text, like
 * bulk-seed.ts, for the bench's own client and a test's drizzle handle alike.
 */
export function reportsSeedStatements({
  conversations,
  messagesEach = 10,
  days = 365,
  prefix,
  ourNumbers,
  agentIds,
}: {
  conversations: number;
  /** Even: contact and person take turns; the last word is the contact's in waiting conversations. */
  messagesEach?: number;
  days?: number;
  prefix: string;
  ourNumbers: string[];
  agentIds: string[];
}): string[] {
  if (!/^\d{3,6}$/.test(prefix)) throw new Error(`prefix must be 3 to 6 digits, got ${prefix}`);
  if (messagesEach % 2 !== 0 || messagesEach < 6) throw new Error("messagesEach must be even and at least 6");
  const numbers = `array[${ourNumbers.map((number) => `'${number}'`).join(", ")}]`;
  const agents = `array[${agentIds.map((id) => `'${id}'`).join(", ")}]`;
  // A turn is the contact's text and a person's reply; resolved after the first half of them.
  const turns = messagesEach / 2;
  const middle = Math.floor(turns / 2);
  // A pseudo-random but repeatable number per conversation and step.
  const noise = (salt: string) => `abs(hashtext(c.contact_number || '${salt}'))`;
  return [
    `insert into conversations (contact_number, virtual_number, assignee_id, created_at, resolved_at)
     select '+${prefix}' || lpad(g::text, 8, '0'),
            (${numbers})[1 + g % ${ourNumbers.length}],
            (${agents})[1 + g % ${agentIds.length}],
            now() - interval '${days + 1} days',
            case when g % 20 = 0 then null else now() end
     from generate_series(1, ${conversations}) as g`,
    // Each conversation's first text: a day of the period, mostly between 08:00 and 18:00 UTC.
    `create temporary table seed_starts as
     select c.id, c.contact_number, c.virtual_number, c.assignee_id, c.resolved_at is null as waiting,
            date_trunc('day', now()) - (1 + ${noise("day")} % ${days}) * interval '1 day'
              + case when ${noise("night")} % 5 = 0 then ${noise("hour")} % 24 else 8 + ${noise("hour")} % 10 end * interval '1 hour'
              + (${noise("minute")} % 3600) * interval '1 second' as started_at
     from conversations c where c.contact_number like '+${prefix}%'`,
    // Message n: the contact's at odd n, a person's reply 30 s to 20 min later at even n; a turn every 40 minutes.
    `insert into messages (conversation_id, direction, author, author_user_id, body, from_number, to_number, status, segments, created_at, status_at)
     select s.id,
            case when n % 2 = 1 then 'inbound' else 'outbound' end::message_direction,
            case when n % 2 = 1 then 'contact' else 'user' end::message_author,
            case when n % 2 = 1 then null else s.assignee_id end,
            'Turn ' || n,
            case when n % 2 = 1 then s.contact_number else s.virtual_number end,
            case when n % 2 = 1 then s.virtual_number else s.contact_number end,
            case when n % 2 = 1 then 'received' else 'delivered' end::message_status,
            1 + (n % 3 = 0)::int,
            s.started_at + ((n - 1) / 2) * interval '40 minutes'
              + case when n % 2 = 0 then (30 + abs(hashtext(s.contact_number || n)) % 1170) * interval '1 second' else interval '0' end,
            s.started_at
     from seed_starts s, generate_series(1, ${messagesEach}) as n
     where n < ${messagesEach} or not s.waiting`,
    // An auto-reply a few seconds after every fifth conversation's first text.
    `insert into messages (conversation_id, direction, author, body, from_number, to_number, status, created_at, status_at)
     select s.id, 'outbound', 'system', 'Thanks, we will be with you shortly.', s.virtual_number, s.contact_number,
            'delivered', s.started_at + interval '3 seconds', s.started_at
     from seed_starts s where abs(hashtext(s.contact_number)) % 5 = 0`,
    // Resolved after the first half (the contact's next text reopens it), and at the end.
    `insert into conversation_events (conversation_id, kind, actor_user_id, created_at)
     select s.id, 'resolved'::conversation_event_kind, s.assignee_id, s.started_at + (${middle} - 1) * interval '40 minutes' + interval '25 minutes'
     from seed_starts s
     union all
     select s.id, 'resolved'::conversation_event_kind, s.assignee_id, s.started_at + (${turns} - 1) * interval '40 minutes' + interval '25 minutes'
     from seed_starts s where not s.waiting`,
    `update conversations c set last_message_at = s.started_at + (${turns} - 1) * interval '40 minutes'
     from seed_starts s where s.id = c.id`,
    "drop table seed_starts",
    "analyze conversations",
    "analyze messages",
    "analyze conversation_events",
  ];
}
