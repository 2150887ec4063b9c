import { Form } from "react-router";
import { SubmitButton } from "~/components/forms";
import { Time } from "~/components/time";

export type ThreadNoteData = {
  id: string;
  body: string;
  createdAt: Date | string;
  authorLabel: string;
  own: boolean;
};

/**
 * An internal note among the messages: dashed, amber, centred and labelled so
 * nobody mistakes it for an SMS. Its author may delete it.
 */
export function ThreadNote({ note }: { note: ThreadNoteData }) {
  return (
    <li className="flex justify-center" data-note-id={note.id}>
      <div className="w-full max-w-[90%] rounded-xl border-2 border-dashed border-amber-400 bg-amber-50 px-4 py-2 text-amber-950">
        <p className="text-xs font-semibold text-amber-900">Note · only your team sees this</p>
        <p className="mt-1 whitespace-pre-wrap break-words">{note.body}</p>
        <div className="mt-1 flex flex-wrap items-center justify-between gap-x-3 text-xs text-amber-900">
          <p>
            {note.authorLabel} · <Time date={note.createdAt} />
          </p>
          {note.own ? (
            <Form method="post" preventScrollReset>
              <input type="hidden" name="noteId" value={note.id} />
              <SubmitButton
                name="intent"
                value="delete-note"
                match={{ noteId: note.id }}
                variant="secondary"
                pendingText="Deleting…"
                className="px-2 py-0.5 text-xs"
              >
                Delete note
              </SubmitButton>
            </Form>
          ) : null}
        </div>
      </div>
    </li>
  );
}
