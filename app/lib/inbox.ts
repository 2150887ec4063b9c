import { z } from "zod";

/** The staff inbox's views, in the order the links appear. */
export const VIEWS = ["all", "mine", "unassigned", "unclaimed", "unread", "opted-out"] as const;
export type View = (typeof VIEWS)[number];

export const VIEW_LABELS: Record<View, string> = {
  all: "All",
  mine: "Mine",
  unassigned: "Unassigned",
  unclaimed: "Unclaimed",
  unread: "Unread",
  "opted-out": "Opted out",
};

/** View counts stop here: "1000+". */
export const VIEW_COUNT_CAP = 1000;
export const formatViewCount = (count: number) => (count >= VIEW_COUNT_CAP ? `${VIEW_COUNT_CAP}+` : String(count));

export const STATUSES = ["open", "resolved"] as const;
export type Status = (typeof STATUSES)[number];

/** `/messages?view=&status=&number=&label=&q=&after=`: anything unknown falls back to the default rather than failing the page. */
export const InboxQuerySchema = z.object({
  view: z.enum(VIEWS).catch("all"),
  status: z.enum(STATUSES).catch("open"),
  /** One of our numbers' id: only conversations on it. */
  number: z.uuid().nullable().catch(null),
  /** A label's id: only conversations carrying it (the team's; a member's list ignores it). */
  label: z.uuid().nullable().catch(null),
  q: z
    .string()
    .trim()
    .max(200)
    .catch("")
    .transform((q) => q.trim()),
  after: z.string().max(500).nullable().catch(null),
});
export type InboxQuery = z.infer<typeof InboxQuerySchema>;

export function parseInboxQuery(params: URLSearchParams): InboxQuery {
  return InboxQuerySchema.parse({
    view: params.get("view") ?? undefined,
    status: params.get("status") ?? undefined,
    number: params.get("number"),
    label: params.get("label"),
    q: params.get("q") ?? "",
    after: params.get("after"),
  });
}

/** The inbox URL for `query`, leaving defaults out so links stay short. */
export function inboxHref(query: Partial<InboxQuery>, path = "/messages"): string {
  const params = new URLSearchParams();
  if (query.view && query.view !== "all") params.set("view", query.view);
  if (query.status && query.status !== "open") params.set("status", query.status);
  if (query.number) params.set("number", query.number);
  if (query.label) params.set("label", query.label);
  if (query.q) params.set("q", query.q);
  if (query.after) params.set("after", query.after);
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/** A ts_headline snippet, split where the matched terms start and end: rendered as text, never as HTML. */
export type Snippet = { text: string; match: boolean }[];

/** Highlight markers for ts_headline: control characters, which an SMS body cannot carry as markup. */
export const MATCH_START = "\u0002";
export const MATCH_END = "\u0003";

export function splitSnippet(headline: string): Snippet {
  const parts: Snippet = [];
  for (const [index, chunk] of headline.split(MATCH_START).entries()) {
    const [matched, rest] = index === 0 ? [null, chunk] : splitOnce(chunk, MATCH_END);
    if (matched) parts.push({ text: matched, match: true });
    if (rest) parts.push({ text: rest, match: false });
  }
  return parts;
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, ""] : [text.slice(0, at), text.slice(at + separator.length)];
}
