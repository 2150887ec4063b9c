import { useEffect, useId, useRef, useState } from "react";
import { Link, useLocation } from "react-router";
import { fillPlaceholders, type PlaceholderValues } from "~/lib/placeholders";

export type SavedReplyChoice = { id: string; title: string; body: string };

export type SavedRepliesOffer = {
  replies: SavedReplyChoice[];
  /** What `{name}` and `{agent}` become in this conversation. */
  values: PlaceholderValues;
};

const MANAGE = "/settings/replies";
const toggle =
  "cursor-pointer rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50";
// Placed against the reply box's bottom row (the nearest positioned box): as wide as the box on a
// phone, at its right edge on wider screens.
const popover =
  "absolute inset-x-0 bottom-full z-20 mb-2 rounded-xl border border-slate-200 bg-white p-2 shadow-lg sm:left-auto sm:w-96";

/**
 * Without JavaScript: a disclosure of links (`?reply=<id>`) that load the
 * thread again with the reply, filled in by the server, in the box. The
 * thread's list beside it stays as it was (the rest of the query is kept).
 */
export function SavedReplyLinks({ replies }: { replies: SavedReplyChoice[] }) {
  const { search } = useLocation();
  const hrefFor = (replyId: string) => {
    const query = new URLSearchParams(search);
    query.delete("before");
    query.set("reply", replyId);
    return `?${query}`;
  };
  return (
    <details>
      <summary className={toggle}>Saved replies</summary>
      <div className={popover}>
        {replies.length === 0 ? (
          <NoReplies />
        ) : (
          <ul aria-label="Saved replies" className="max-h-64 overflow-y-auto">
            {replies.map((reply) => (
              <li key={reply.id}>
                <Link
                  to={hrefFor(reply.id)}
                  className="block break-words rounded-md px-3 py-2 text-sm text-slate-800 hover:bg-slate-100"
                >
                  {reply.title}
                </Link>
              </li>
            ))}
          </ul>
        )}
        <ManageLink />
      </div>
    </details>
  );
}

/**
 * With JavaScript: a button (or `/` typed into an empty box, see ReplyForm)
 * opens a search box over the team's replies, a combobox with its listbox:
 * typing filters, arrows move, Enter inserts, Escape goes back to the reply
 * (and, when `/` opened it, types that `/` after all).
 */
export function SavedReplyPicker({
  offer,
  open,
  openedBySlash,
  onOpenChange,
  onPick,
  onEscape,
}: {
  offer: SavedRepliesOffer;
  open: boolean;
  openedBySlash: boolean;
  onOpenChange: (open: boolean) => void;
  /** The chosen reply with its placeholders filled in, as it will go out. */
  onPick: (text: string) => void;
  onEscape: () => void;
}) {
  const id = useId();
  const container = useRef<HTMLDivElement>(null);

  // A click anywhere else closes it, as any popover does.
  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (!container.current?.contains(event.target as Node)) onOpenChange(false);
    };
    document.addEventListener("pointerdown", onPointer);
    return () => document.removeEventListener("pointerdown", onPointer);
  }, [open, onOpenChange]);

  return (
    <div ref={container}>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={open ? `${id}-popover` : undefined}
        onClick={() => onOpenChange(!open)}
        className={toggle}
      >
        Saved replies
      </button>
      {/* Mounted only while open: every opening starts with an empty search. */}
      {open ? (
        <div id={`${id}-popover`} className={popover}>
          {offer.replies.length === 0 ? (
            <NoReplies />
          ) : (
            <ReplySearch
              offer={offer}
              onPick={(text) => {
                onOpenChange(false);
                onPick(text);
              }}
              onEscape={() => {
                onOpenChange(false);
                onEscape();
              }}
            />
          )}
          {openedBySlash ? (
            <p className="px-3 pb-1 text-xs text-slate-600">
              Press <kbd className="font-sans font-semibold">Esc</kbd> to type “/” instead.
            </p>
          ) : null}
          <ManageLink />
        </div>
      ) : null}
    </div>
  );
}

function ReplySearch({
  offer,
  onPick,
  onEscape,
}: {
  offer: SavedRepliesOffer;
  onPick: (text: string) => void;
  onEscape: () => void;
}) {
  const id = useId();
  const search = useRef<HTMLInputElement>(null);
  // Opening it is asking to search: the focus goes there (and Escape brings it back to the reply).
  useEffect(() => search.current?.focus(), []);
  const [filter, setFilter] = useState("");
  const [active, setActive] = useState(0);
  const term = filter.trim().toLowerCase();
  const matches = offer.replies.filter(
    (reply) => reply.title.toLowerCase().includes(term) || reply.body.toLowerCase().includes(term),
  );
  const current = Math.min(active, matches.length - 1);
  const optionId = (index: number) => `${id}-option-${index}`;
  const pick = (reply: SavedReplyChoice) => onPick(fillPlaceholders(reply.body, offer.values));

  return (
    <>
      <label htmlFor={`${id}-filter`} className="sr-only">
        Search saved replies
      </label>
      <input
        id={`${id}-filter`}
        type="text"
        ref={search}
        role="combobox"
        autoComplete="off"
        aria-expanded="true"
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        aria-activedescendant={current >= 0 ? optionId(current) : undefined}
        placeholder="Search saved replies"
        value={filter}
        onChange={(event) => {
          setFilter(event.currentTarget.value);
          setActive(0);
        }}
        onKeyDown={(event) => {
          if (event.key === "ArrowDown" || event.key === "ArrowUp") {
            event.preventDefault();
            const step = event.key === "ArrowDown" ? 1 : -1;
            setActive((current + step + matches.length) % Math.max(matches.length, 1));
          } else if (event.key === "Enter") {
            // Never the reply form's Enter: that would send.
            event.preventDefault();
            const chosen = matches[current];
            if (chosen) pick(chosen);
          } else if (event.key === "Escape") {
            event.preventDefault();
            onEscape();
          }
        }}
        className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm text-slate-900"
      />
      <ul id={`${id}-list`} role="listbox" aria-label="Saved replies" className="mt-2 max-h-64 overflow-y-auto">
        {matches.map((reply, index) => (
          // eslint-disable-next-line jsx-a11y/click-events-have-key-events -- the search box handles the keys (aria-activedescendant)
          <li
            key={reply.id}
            id={optionId(index)}
            role="option"
            aria-selected={index === current}
            // The search box keeps the focus: a click picks without taking it away first.
            onPointerDown={(event) => event.preventDefault()}
            onClick={() => pick(reply)}
            onPointerEnter={() => setActive(index)}
            className={`cursor-pointer rounded-md px-3 py-2 text-sm ${index === current ? "bg-brand-50 text-brand-900" : "text-slate-800"}`}
          >
            <span className="block break-words font-medium">{reply.title}</span>
            <span className="line-clamp-2 whitespace-pre-wrap break-words text-xs text-slate-600">
              {fillPlaceholders(reply.body, offer.values)}
            </span>
          </li>
        ))}
      </ul>
      {matches.length === 0 ? (
        <p role="status" className="px-3 py-2 text-sm text-slate-600">
          No saved reply matches “{filter.trim()}”.
        </p>
      ) : null}
    </>
  );
}

function NoReplies() {
  return (
    <p className="px-3 py-2 text-sm text-slate-600">
      No saved replies yet: answers the team sends often, inserted with one click.
    </p>
  );
}

function ManageLink() {
  return (
    <p className="mt-1 border-t border-slate-100 px-3 pt-2 text-sm">
      <Link to={MANAGE} className="font-medium text-brand-700 underline">
        Manage saved replies
      </Link>
    </p>
  );
}
