import { z } from "zod";
import { normalizeProviderPhone } from "~/lib/phone";
import { REPORTED_STATUSES, type DeliveryReport, type InboundSms } from "../conversations/provider-events";

/**
 * Turns what MessageBird sends (JSON body, form body or query string, with
 * several spellings per field) into plain values. Every
 * refusal names the field as the sender spelled it, so an admin reading the
 * rejection log can fix the flow that sent it.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; status: 400 | 415; reason: string };

type Fields = Record<string, unknown>;

const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json$/;
const FORM_TYPE = "application/x-www-form-urlencoded";
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The raw fields of a request, wherever they travelled. `secret` is credentials, never data. */
export function readFields(request: {
  method: string;
  url: URL;
  contentType: string | null;
  body: Uint8Array;
}): Parsed<Fields> {
  const { method, url, contentType, body } = request;
  // Legacy forwarding and delivery reports arrive as GET; some senders POST the same query with no body.
  if (method === "GET" || method === "HEAD" || (body.byteLength === 0 && !contentType)) {
    return withoutSecret(decodeUrlEncoded(url.search.slice(1), "query"));
  }
  const mediaType = contentType?.split(";")[0]!.trim().toLowerCase() ?? "";
  if (!JSON_TYPE.test(mediaType) && mediaType !== FORM_TYPE) {
    return {
      ok: false,
      status: 415,
      reason: `content type ${JSON.stringify(mediaType.slice(0, 60))} is not JSON or a form`,
    };
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { ok: false, status: 400, reason: "body: not valid UTF-8" };
  }
  if (mediaType === FORM_TYPE) return withoutSecret(decodeUrlEncoded(text, "body"));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, status: 400, reason: "body: malformed JSON" };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return { ok: false, status: 400, reason: "body: expected a JSON object" };
  }
  return { ok: true, value: json as Fields };
}

// URLSearchParams silently turns broken percent-encoding into U+FFFD; a webhook
// should say its input was broken rather than store altered text.
function decodeUrlEncoded(text: string, where: "query" | "body"): Parsed<Fields> {
  const fields: Fields = Object.create(null);
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const at = pair.indexOf("=");
    const [rawKey, rawValue] = at === -1 ? [pair, ""] : [pair.slice(0, at), pair.slice(at + 1)];
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey.replaceAll("+", " "));
      value = decodeURIComponent(rawValue.replaceAll("+", " "));
    } catch {
      return { ok: false, status: 400, reason: `${where}: malformed percent-encoding` };
    }
    // The first occurrence wins, as URLSearchParams.get would answer.
    if (!(key in fields)) fields[key] = value;
  }
  return { ok: true, value: fields };
}

function withoutSecret(parsed: Parsed<Fields>): Parsed<Fields> {
  if (parsed.ok) delete parsed.value.secret;
  return parsed;
}

// Flow Builder may send numbers and ids as JSON numbers; forms and queries send strings.
const scalar = (max: number) =>
  z
    .union([z.string(), z.number().finite()], { error: "expected a string" })
    .transform((value) => String(value).trim())
    .pipe(z.string().max(max, { error: `longer than ${max} characters` }));

const optionalScalar = (max: number) =>
  z.preprocess((value) => (value === "" || value === null ? undefined : value), scalar(max).optional());

// Parsing a number is most of a webhook's CPU, and the same few come back all
// the time (our own number on every SMS, regular senders): remembered, bounded.
const MAX_REMEMBERED_NUMBERS = 10_000;
const normalized = new Map<string, string | null>();

function normalizedPhone(value: string): string | null {
  let e164 = normalized.get(value);
  if (e164 === undefined) {
    e164 = normalizeProviderPhone(value);
    if (normalized.size >= MAX_REMEMBERED_NUMBERS) normalized.clear();
    normalized.set(value, e164);
  }
  return e164;
}

export const phone = scalar(32).transform((value, ctx) => {
  const e164 = normalizedPhone(value);
  if (!e164) ctx.addIssue({ code: "custom", message: "not a phone number" });
  return e164 ?? z.NEVER;
});

// Postgres text cannot hold NUL. A real SMS never contains one, but losing the
// whole message over it would be worse than a visible replacement character.
export const smsText = z
  .string({ error: "expected a string" })
  .transform((text) => text.replaceAll("\u0000", "\uFFFD"));

export const id = optionalScalar(128).refine((value) => !value?.includes("\u0000"), {
  error: "contains a NUL character",
});

const inboundSchema = z.object({
  originator: phone,
  recipient: phone,
  text: smsText,
  id,
  time: optionalScalar(64),
});

const reportSchema = z
  .object({
    id,
    reference: id,
    status: z.enum(REPORTED_STATUSES, { error: `expected one of ${REPORTED_STATUSES.join(", ")}` }),
    reason: optionalScalar(500),
    errorCode: optionalScalar(32),
    time: optionalScalar(64),
  })
  .refine((report) => report.id || report.reference, { error: "required (or reference)", path: ["id"] });

/** Canonical field → the names MessageBird uses for it, preferred first. */
type Aliases<K extends string> = Record<K, readonly string[]>;

const INBOUND_ALIASES = {
  originator: ["originator"],
  recipient: ["recipient"],
  text: ["payload", "body", "message"],
  id: ["messageId", "id", "mid"],
  time: ["receivedAt", "createdDatetime", "receive_datetime"],
} as const satisfies Aliases<keyof z.input<typeof inboundSchema>>;

const REPORT_ALIASES = {
  id: ["id"],
  reference: ["reference"],
  status: ["status"],
  reason: ["statusReason"],
  errorCode: ["statusErrorCode"],
  time: ["statusDatetime"],
} as const satisfies Aliases<keyof z.input<typeof reportSchema>>;

function parseAliased<K extends string, T>(schema: z.ZodType<T>, aliases: Aliases<K>, fields: Fields): Parsed<T> {
  const values: Record<string, unknown> = {};
  const spelled: Record<string, string> = {};
  for (const [field, names] of Object.entries(aliases) as [K, readonly string[]][]) {
    const name = names.find((candidate) => Object.hasOwn(fields, candidate)) ?? names[0]!;
    values[field] = fields[name];
    spelled[field] = names.length > 1 && !Object.hasOwn(fields, name) ? names.join(" | ") : name;
  }
  const parsed = schema.safeParse(values);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0]!;
  const field = String(issue.path[0] ?? "body");
  const message = values[field] === undefined && issue.code !== "custom" ? "required" : issue.message;
  return { ok: false, status: 400, reason: `${spelled[field] ?? field}: ${message}` };
}

export function parseInboundSms(fields: Fields): Parsed<InboundSms> {
  const parsed = parseAliased(inboundSchema, INBOUND_ALIASES, fields);
  if (!parsed.ok) return parsed;
  const { originator, recipient, text, id, time } = parsed.value;
  return { ok: true, value: { from: originator, to: recipient, body: text, providerMessageId: id, sentAt: time } };
}

export function parseDeliveryReport(fields: Fields): Parsed<DeliveryReport> {
  const parsed = parseAliased(reportSchema, REPORT_ALIASES, fields);
  if (!parsed.ok) return parsed;
  const { id, reference, status, reason, errorCode, time } = parsed.value;
  return {
    ok: true,
    value: { providerMessageId: id, reference, status, reason, errorCode, statusAt: plausibleTime(time) },
  };
}

const MONTH_MS = 30 * 24 * 60 * 60 * 1000;

// A report is worth applying even when its timestamp is odd (or far outside what
// Postgres stores): the caller then uses the time it arrived.
export function plausibleTime(time: string | undefined): Date | undefined {
  const ms = time ? Date.parse(time) : Number.NaN;
  return Math.abs(ms - Date.now()) < MONTH_MS ? new Date(ms) : undefined;
}
