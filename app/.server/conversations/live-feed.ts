import { and, eq, inArray, ne } from "drizzle-orm";
import { db } from "../platform/db/client";
import { conversations, users } from "../platform/db/schema";
import { subscribe, type InboxEvent } from "../platform/event-bus";
import { log } from "../platform/log";

/**
 * The bus as one signed-in person sees it (DESIGN.md "Who sees what"): members
 * hear about their own conversation only, agents and admins about all.
 */

export type ViewerListener = {
  onEvents(events: InboxEvent[]): void;
  /** Events may have been missed (or could not be checked): reload whatever is on screen. */
  onResync(): void;
};

type Audience = { owners: Map<string, string | null>; staff: Set<string> };

// Every stream in this process receives the same events array for one NOTIFY:
// keyed on it, the lookup runs once per NOTIFY, not once per open stream.
const audiences = new WeakMap<InboxEvent[], Promise<Audience | null>>();

/**
 * Ownership and roles are read when the events arrive, never cached from the
 * moment a stream opened: verifying a phone hands a conversation to a member,
 * and an admin can change anyone's role, while streams stay open for hours.
 */
function audienceOf(events: InboxEvent[]): Promise<Audience | null> {
  let audience = audiences.get(events);
  if (!audience) {
    const ids = [...new Set(events.map((event) => event.conversationId))];
    audience = Promise.all([
      // Owner = the member whose verified number it is now (same rule as threads.ts).
      db
        .select({ id: conversations.id, userId: users.id })
        .from(conversations)
        .leftJoin(users, and(eq(users.id, conversations.userId), eq(users.phoneNumber, conversations.contactNumber)))
        .where(inArray(conversations.id, ids)),
      // Agents and admins are a handful of people, however many members there are.
      db.select({ id: users.id }).from(users).where(ne(users.role, "member")),
    ]).then(
      ([owned, staff]) => ({
        owners: new Map(owned.map((row) => [row.id, row.userId])),
        staff: new Set(staff.map((row) => row.id)),
      }),
      (error: unknown) => {
        log.warn("could not check who may see inbox events", { error });
        return null;
      },
    );
    audiences.set(events, audience);
  }
  return audience;
}

/** Subscribes one viewer to the events they may see; resolves once listening, to the unsubscribe function. */
export function subscribeAsViewer(viewerId: string, listener: ViewerListener): Promise<() => void> {
  let subscribed = true;
  const unsubscribe = subscribe((message) => {
    if (message.type === "resync") return listener.onResync();
    void audienceOf(message.events).then((audience) => {
      if (!subscribed) return;
      // Without the lookup nobody may be told which ids changed; a resync carries none and still refreshes the page.
      if (!audience) return listener.onResync();
      const visible = audience.staff.has(viewerId)
        ? message.events
        : message.events.filter((event) => audience.owners.get(event.conversationId) === viewerId);
      if (visible.length > 0) listener.onEvents(visible);
    });
  });
  return unsubscribe.then((stop) => () => {
    subscribed = false;
    stop();
  });
}
