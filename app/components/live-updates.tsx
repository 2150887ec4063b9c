import { useEffect, useRef, useState } from "react";
import { useNavigation, useRevalidator } from "react-router";
import { useHydrated } from "remix-utils/use-hydrated";

/**
 * One EventSource per tab on GET /events; any event the server sends this
 * user reloads the page's data. Not remix-utils' `useEventSource`: it keeps
 * only the latest data string, so two identical events (a message sent, then
 * delivered) would cause one render and one revalidation, and it exposes no
 * connection state for the indicator.
 */

type Connection = "connecting" | "live" | "reconnecting" | "offline";

// Bursts (a batch of inbound SMS, a status flip right after a send) become one reload.
const DEBOUNCE_MS = 100;
const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 60_000;

function useLiveRevalidation(): Connection | null {
  const { revalidate, state: revalidation } = useRevalidator();
  const navigation = useNavigation().state;
  const busy = revalidation !== "idle" || navigation !== "idle";
  // Server HTML must not claim a connection it does not have.
  const hydrated = useHydrated();
  // A ref, so an event marks the data stale without a render; `events` re-runs the reload effect.
  const stale = useRef(false);
  const [events, setEvents] = useState(0);
  const [connection, setConnection] = useState<Connection>("connecting");

  useEffect(() => {
    let source: EventSource | undefined;
    let debounce: ReturnType<typeof setTimeout> | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let dropped = false;
    const markStale = () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => {
        stale.current = true;
        setEvents((count) => count + 1);
      }, DEBOUNCE_MS);
    };

    function connect() {
      source = new EventSource("/events");
      source.addEventListener("inbox", markStale);
      source.addEventListener("resync", markStale);
      source.onopen = () => {
        setConnection("live");
        failures = 0;
        // Whatever happened while the stream was down was never sent. The first
        // open skips this: the page's data is a moment old, and a reload on
        // every page load would double the loader traffic.
        if (dropped) markStale();
      };
      source.onerror = () => {
        dropped = true;
        if (source?.readyState === EventSource.CONNECTING) return setConnection("reconnecting");
        // An error status (signed out, database down) makes the browser give up for good; we try again, slower each time.
        source?.close();
        setConnection("offline");
        retry = setTimeout(connect, Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** failures++));
      };
    }

    connect();
    return () => {
      source?.close();
      clearTimeout(debounce);
      clearTimeout(retry);
    };
  }, []);

  useEffect(() => {
    // A reload already under way may have read the data before the event; wait for it, then reload once.
    if (!stale.current || busy) return;
    stale.current = false;
    void revalidate();
  }, [events, busy, revalidate]);

  return hydrated ? connection : null;
}

const LABELS: Record<Connection, { text: string; title: string; dot: string }> = {
  connecting: { text: "Connecting…", title: "Connecting to live updates", dot: "bg-slate-400" },
  live: { text: "Live", title: "New messages and status changes appear by themselves", dot: "bg-emerald-500" },
  reconnecting: { text: "Reconnecting…", title: "Live updates paused; reconnecting", dot: "bg-amber-500" },
  offline: { text: "Offline", title: "Live updates are off; reload the page to see new messages", dot: "bg-red-500" },
};

/** Keeps the page's data current and says whether it does. Renders nothing without JavaScript. */
export function LiveUpdates() {
  const connection = useLiveRevalidation();
  if (!connection) return null;
  const { text, title, dot } = LABELS[connection];
  return (
    <span
      role="status"
      title={title}
      data-connection={connection}
      className="flex items-center gap-1.5 px-2 text-xs text-slate-600"
    >
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${dot}`} />
      <span>
        <span className="sr-only">Live updates: </span>
        {text}
      </span>
    </span>
  );
}
