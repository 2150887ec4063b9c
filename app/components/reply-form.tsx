import { getFormProps, getTextareaProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { useEffect, useRef, useState } from "react";
import { useFetcher } from "react-router";
import { useHydrated } from "remix-utils/use-hydrated";
import { ErrorList, FormErrors } from "~/components/forms";
import { SmsLength } from "~/components/sms-length";
import { SavedReplyLinks, SavedReplyPicker, type SavedRepliesOffer } from "~/components/saved-reply-picker";
import { ReplySchema } from "~/lib/reply-schema";

/**
 * The reply box. A real form (POST → redirect → GET without JavaScript); with
 * JavaScript it submits in the background, shows the message at once as
 * pending, clears itself, and sends on Enter (Shift+Enter for a new line).
 * The team also gets its saved replies: a picker with JavaScript, links without.
 */
export function ReplyForm({
  idempotencyKey,
  optedOut,
  recipient,
  refused,
  savedReplies,
  prefill,
}: {
  idempotencyKey: string;
  optedOut: boolean;
  recipient: string;
  /** The action's answer to a refused send posted without JavaScript (with the typed text). */
  refused?: SubmissionResult<string[]>;
  /** The team's saved replies; null for a member. */
  savedReplies?: SavedRepliesOffer | null;
  /** Text the box starts with: a saved reply chosen without JavaScript, already filled in. */
  prefill?: string | null;
}) {
  const fetcher = useFetcher<{ result?: SubmissionResult<string[]> }>();
  const [form, fields] = useForm({
    id: "reply",
    lastResult: fetcher.state === "idle" ? (fetcher.data?.result ?? refused) : undefined,
    defaultValue: prefill ? { body: prefill } : undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ReplySchema }),
    shouldValidate: "onSubmit",
  });
  const textarea = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState(prefill ?? "");
  // "slash": opened by typing "/", which Escape then types after all, so a reply can still start with one.
  const [picking, setPicking] = useState<false | "button" | "slash">(false);
  const submitted = useRef("");
  const busy = fetcher.state !== "idle";
  const pendingBody = fetcher.formData?.get("intent") === "send" ? String(fetcher.formData.get("body") ?? "") : null;

  // A refused send gives the text back, so nothing typed is ever lost.
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.result && textarea.current && submitted.current) {
      textarea.current.value = submitted.current;
      setText(submitted.current);
      submitted.current = "";
    }
  }, [fetcher.state, fetcher.data]);

  // Without JavaScript the saved replies are links instead of a picker.
  const hydrated = useHydrated();

  /** Puts a chosen saved reply where the cursor is (over any selection), and the cursor after it. */
  function insert(inserted: string) {
    const box = textarea.current;
    if (!box) return;
    box.setRangeText(inserted, box.selectionStart, box.selectionEnd, "end");
    setText(box.value);
    box.focus();
  }

  return (
    <div>
      {pendingBody ? (
        <p className="mb-2 flex justify-end" aria-live="polite">
          <span className="max-w-[85%] whitespace-pre-wrap break-words rounded-2xl rounded-br-sm bg-brand-600/70 px-4 py-2 text-white">
            {pendingBody}
            <span className="mt-1 block text-right text-xs text-brand-100">Sending…</span>
          </span>
        </p>
      ) : null}
      <fetcher.Form
        method="post"
        preventScrollReset
        {...getFormProps(form)}
        onSubmit={(event) => {
          form.onSubmit(event);
          if (event.defaultPrevented || busy) return event.preventDefault();
          submitted.current = textarea.current?.value ?? "";
          // Clear after the browser has read the form data for this submission.
          queueMicrotask(() => {
            if (textarea.current) textarea.current.value = "";
            setText("");
          });
        }}
        className="rounded-2xl border border-slate-200 bg-white p-3 shadow-sm sm:p-4"
      >
        <FormErrors id={form.errorId} errors={form.errors} />
        {/* Hidden rather than on the button: Enter submits without a submitter. */}
        <input type="hidden" name="intent" value="send" />
        <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
        <fieldset disabled={optedOut} className="space-y-2">
          <label htmlFor={fields.body.id} className="block text-sm font-medium text-slate-800">
            Reply to {recipient}
          </label>
          {optedOut ? (
            <p id="opted-out-note" className="rounded-md bg-red-50 p-2 text-sm text-red-800">
              This number opted out by texting STOP, so Birdline will not send it anything. Replies are possible again
              once they text START.
            </p>
          ) : null}
          <textarea
            {...getTextareaProps(fields.body)}
            ref={textarea}
            rows={3}
            aria-describedby={[optedOut ? "opted-out-note" : null, "reply-counter", fields.body.errorId]
              .filter(Boolean)
              .join(" ")}
            onInput={(event) => setText(event.currentTarget.value)}
            onKeyDown={(event) => {
              // "/" in an empty box opens the saved replies (when there are any) instead of typing itself.
              if (event.key === "/" && savedReplies?.replies.length && event.currentTarget.value === "") {
                event.preventDefault();
                setPicking("slash");
                return;
              }
              if (event.key !== "Enter" || event.shiftKey || event.nativeEvent.isComposing) return;
              event.preventDefault();
              if (!busy) event.currentTarget.form?.requestSubmit();
            }}
            className="block w-full resize-y rounded-md border border-slate-300 px-3 py-2 text-slate-900 focus:border-brand-500 focus:outline-2 focus:outline-brand-500 disabled:bg-slate-100 aria-invalid:border-red-500"
          />
          <ErrorList id={fields.body.errorId} errors={fields.body.errors} />
          <div className="relative flex flex-wrap items-center justify-between gap-2">
            <SmsLength id="reply-counter" text={text}>
              <span className="sr-only">. Enter sends, Shift+Enter starts a new line.</span>
            </SmsLength>
            <div className="ml-auto flex items-center gap-2">
              {savedReplies && !optedOut ? (
                hydrated ? (
                  <SavedReplyPicker
                    offer={savedReplies}
                    open={picking !== false}
                    openedBySlash={picking === "slash"}
                    onOpenChange={(open) => setPicking(open ? "button" : false)}
                    onPick={insert}
                    onEscape={() => (picking === "slash" ? insert("/") : textarea.current?.focus())}
                  />
                ) : (
                  <SavedReplyLinks replies={savedReplies.replies} />
                )
              ) : null}
              <button
                type="submit"
                disabled={busy}
                className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white shadow-sm hover:bg-brand-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600 disabled:opacity-60"
              >
                {busy ? "Sending…" : "Send"}
              </button>
            </div>
          </div>
        </fieldset>
      </fetcher.Form>
    </div>
  );
}
