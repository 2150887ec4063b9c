// The webhook baseline: a bare node:http server storing the tutorial JSON with
// postgres.js directly, doing the same statements as receiveInbound
// (app/.server/conversations/inbound.ts) in one transaction per request, and
// applying delivery reports ({ id, status }) with the lookup and conditional
// update of applyDeliveryReport (app/.server/conversations/delivery-status.ts).
// Run by the bench as a child.
import http from "node:http";
import postgres from "postgres";

type Sms = { originator: string; recipient: string; payload: string; messageId: string };
type Report = { id: string; status: "delivered" };
type Answer = { status: "stored" | "updated" | "unchanged"; id: string } | { status: "duplicate" | "ignored" };

const secret = process.env.MESSAGEBIRD_WEBHOOK_SECRET;
// The same pool size as the app (app/.server/platform/db/connect.ts), so neither gets more connections.
const sql = postgres(process.env.DATABASE_URL!, { max: 10, onnotice: () => {} });

function isSms(value: unknown): value is Sms {
  const fields = value as Partial<Record<keyof Sms, unknown>>;
  return (
    typeof value === "object" &&
    value !== null &&
    ["originator", "recipient", "payload", "messageId"].every((key) => typeof fields[key as keyof Sms] === "string")
  );
}

async function store(sms: Sms): Promise<Answer> {
  const from = `+${sms.originator.replace(/^\+/, "")}`;
  const to = `+${sms.recipient.replace(/^\+/, "")}`;
  return sql.begin(async (tx): Promise<Answer> => {
    const now = new Date();
    // TransactionSql loses Sql's call signatures in postgres.js' typings; it is the same tagged template.
    const q = tx as unknown as postgres.Sql;
    await q`insert into numbers (number) values (${to}) on conflict (number) do nothing`;
    const [conversation] = await q<{ id: string }[]>`
      insert into conversations (contact_number, virtual_number, user_id)
      values (${from}, ${to}, (select id from users where phone_number = ${from}))
      on conflict (contact_number, virtual_number) do update set user_id = excluded.user_id
      returning id`;
    const [message] = await q<{ id: string }[]>`
      insert into messages (conversation_id, direction, body, from_number, to_number, status, provider_message_id, segments, created_at, status_at)
      values (${conversation!.id}, 'inbound', ${sms.payload}, ${from}, ${to}, 'received', ${sms.messageId}, 1, ${now}, ${now})
      on conflict (provider_message_id) do nothing
      returning id`;
    if (!message) return { status: "duplicate" };
    await q`update conversations set last_message_at = greatest(last_message_at, ${now}) where id = ${conversation!.id}`;
    return { status: "stored", id: message.id };
  });
}

// Statuses a "delivered" report may move forward (delivery-status.ts STAGE).
const BEFORE_DELIVERED = ["queued", "sent", "buffered"];

async function applyReport(report: Report): Promise<Answer> {
  const [message] = await sql<{ id: string }[]>`
    select id from messages where direction = 'outbound' and provider_message_id = ${report.id} limit 1`;
  if (!message) return { status: "ignored" };
  const now = new Date();
  const [updated] = await sql`
    update messages set status = 'delivered', status_at = ${now}, error_message = null, error_code = null,
      provider_message_id = coalesce(provider_message_id, ${report.id})
    where id = ${message.id}
      and (status = any(${BEFORE_DELIVERED}::message_status[]) or (status = 'failed' and provider_message_id is null))
    returning id`;
  return { status: updated ? "updated" : "unchanged", id: message.id };
}

function reply(res: http.ServerResponse, status: number, body: object) {
  res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store" });
  res.end(JSON.stringify(body));
}

const ROUTES: Record<string, (fields: unknown) => Promise<Answer> | undefined> = {
  "/webhooks/messagebird": (fields) => (isSms(fields) ? store(fields) : undefined),
  "/webhooks/messagebird/status": (fields) => (isReport(fields) ? applyReport(fields) : undefined),
};

function isReport(value: unknown): value is Report {
  const fields = value as Partial<Record<keyof Report, unknown>>;
  return typeof value === "object" && value !== null && typeof fields.id === "string" && fields.status === "delivered";
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const route = ROUTES[url.pathname];
    if (req.method !== "POST" || !route) return reply(res, 404, { error: "not found" });
    if (!secret || url.searchParams.get("secret") !== secret) return reply(res, 401, { error: "bad credentials" });
    let fields: unknown;
    try {
      fields = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return reply(res, 400, { error: "body: malformed JSON" });
    }
    const answer = route(fields);
    if (!answer) return reply(res, 400, { error: "body: missing fields" });
    answer.then(
      (answer) => reply(res, 200, answer),
      (error: unknown) => reply(res, 503, { error: String(error) }),
    );
  });
});
// Like server.ts, so keep-alive behaves the same for the load generator.
server.keepAliveTimeout = 65_000;

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(`baseline listening on http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
});

process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  void sql.end({ timeout: 5 }).then(() => process.exit(0));
});
