/**
 * Many conversations and messages in a few set-based statements (seconds, not
 * minutes), for the search test and the inbox benchmark. Plain SQL text, so a
 * test's drizzle handle and the benchmark's own client can both run it.
 * Contacts are `+<prefix><8 digits>`; every message mentions an ordinary word
 * from a small vocabulary, so full-text search has common terms to wade through.
 */
export function bulkSeedStatements({
  conversations,
  messagesEach,
  prefix,
  ourNumber = "+447700900000",
}: {
  conversations: number;
  messagesEach: number;
  prefix: string;
  ourNumber?: string;
}): string[] {
  if (!/^\d{3,6}$/.test(prefix)) throw new Error(`prefix must be 3 to 6 digits, got ${prefix}`);
  return [
    `insert into conversations (contact_number, virtual_number, last_message_at, created_at)
     select '+${prefix}' || lpad(g::text, 8, '0'), '${ourNumber}',
            now() - g * interval '1 second', now() - interval '1 year'
     from generate_series(1, ${conversations}) as g`,
    `insert into messages (conversation_id, direction, author, body, from_number, to_number, status, created_at, status_at)
     select c.id,
            case when n % 2 = 0 then 'outbound' else 'inbound' end::message_direction,
            case when n % 2 = 0 then 'system' else 'contact' end::message_author,
            'Hello, about order ' || n || ': ' ||
              (array['delivery', 'refund', 'invoice', 'password', 'appointment', 'shipping', 'question', 'thanks'])[1 + ((hashtext(c.id::text) + n) & 7)]
              || ' please',
            case when n % 2 = 0 then c.virtual_number else c.contact_number end,
            case when n % 2 = 0 then c.contact_number else c.virtual_number end,
            case when n % 2 = 0 then 'delivered' else 'received' end::message_status,
            c.last_message_at - (${messagesEach} - n) * interval '1 millisecond',
            c.last_message_at
     from conversations c, generate_series(1, ${messagesEach}) as n
     where c.contact_number like '+${prefix}%'`,
    "analyze conversations",
    "analyze messages",
  ];
}
