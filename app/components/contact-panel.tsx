import { getFormProps, getInputProps, getTextareaProps, useForm, type SubmissionResult } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { useEffect, useRef } from "react";
import { Form, useNavigation } from "react-router";
import { Field, FormErrors, SubmitButton, TextareaField } from "~/components/forms";
import {
  AddNoteSchema,
  CONTACT_NAME_MAX,
  CONTACT_NOTE_MAX,
  ContactSchema,
  EraseSchema,
  NOTE_BODY_MAX,
} from "~/lib/contact-schemas";

type Answer = SubmissionResult<string[]> | undefined;

/**
 * The team's side of a thread: who the contact is, a note for the team, and
 * (admins) erasing the contact. Plain forms: POST, then a redirect, or the
 * page again with the errors and what was typed.
 */
export function ContactPanel({
  contact,
  number,
  canErase,
  answers,
}: {
  contact: { name: string | null; note: string | null; displayName: string | null };
  /** The contact's number, formatted. */
  number: string;
  canErase: boolean;
  answers: { contact: Answer; note: Answer; erase: Answer };
}) {
  return (
    <aside aria-label="Contact and team notes" className="flex flex-col gap-4">
      {/* Saved values are the form's starting point: a save elsewhere (live) starts it afresh. */}
      <ContactForm key={`${contact.name}\n${contact.note}`} contact={contact} lastResult={answers.contact} />
      <NoteForm lastResult={answers.note} />
      {canErase ? <EraseForm number={number} lastResult={answers.erase} /> : null}
    </aside>
  );
}

const PANEL = "rounded-xl border border-slate-200 bg-white p-4 shadow-sm";

function ContactForm({
  contact,
  lastResult,
}: {
  contact: { name: string | null; note: string | null; displayName: string | null };
  lastResult: Answer;
}) {
  const [form, fields] = useForm({
    id: "contact",
    lastResult,
    defaultValue: { name: contact.name ?? "", note: contact.note ?? "" },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: ContactSchema }),
    shouldValidate: "onBlur",
  });
  return (
    <section aria-labelledby="contact-heading" className={PANEL}>
      <h2 id="contact-heading" className="font-semibold text-slate-900">
        Contact
      </h2>
      <Form method="post" preventScrollReset className="mt-2 space-y-3" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <input type="hidden" name="intent" value="update-contact" />
        <Field
          label="Name"
          hint={`Shown instead of the number, for the whole team. Up to ${CONTACT_NAME_MAX} characters.`}
          errors={fields.name.errors}
          inputProps={{
            ...getInputProps(fields.name, { type: "text" }),
            autoComplete: "off",
            // Unnamed, a member's own name stands in: show which.
            placeholder: contact.name ? undefined : (contact.displayName ?? undefined),
          }}
        />
        <TextareaField
          label="About them"
          errors={fields.note.errors}
          controlProps={{
            ...getTextareaProps(fields.note),
            rows: 3,
            placeholder: "VIP, prefers Dutch",
            maxLength: CONTACT_NOTE_MAX,
          }}
        />
        <SubmitButton match={{ intent: "update-contact" }} variant="secondary" pendingText="Saving…">
          Save contact
        </SubmitButton>
      </Form>
    </section>
  );
}

function NoteForm({ lastResult }: { lastResult: Answer }) {
  const [form, fields] = useForm({
    id: "note",
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: AddNoteSchema }),
    shouldValidate: "onSubmit",
  });
  useResetAfterSaving(form.reset, "add-note", lastResult);
  return (
    <section aria-labelledby="note-heading" className={PANEL}>
      <h2 id="note-heading" className="font-semibold text-slate-900">
        Note for the team
      </h2>
      <p className="mt-1 text-sm text-slate-600">Shown in the thread to agents and admins only; never sent.</p>
      <Form method="post" preventScrollReset className="mt-2 space-y-3" {...getFormProps(form)}>
        <input type="hidden" name="intent" value="add-note" />
        <TextareaField
          label="Note"
          errors={fields.body.errors}
          controlProps={{ ...getTextareaProps(fields.body), rows: 3, maxLength: NOTE_BODY_MAX }}
        />
        <SubmitButton match={{ intent: "add-note" }} variant="secondary" pendingText="Adding…">
          Add note
        </SubmitButton>
      </Form>
    </section>
  );
}

/**
 * With JavaScript the page stays mounted through POST → redirect, and the
 * textarea would keep the note just added: empty it once the save went through
 * (the navigation ended without a refusal).
 */
function useResetAfterSaving(reset: () => void, intent: string, refusal: Answer) {
  const navigation = useNavigation();
  const saving = navigation.state !== "idle" && navigation.formData?.get("intent") === intent;
  const wasSaving = useRef(false);
  useEffect(() => {
    if (saving) wasSaving.current = true;
    else if (wasSaving.current && navigation.state === "idle") {
      wasSaving.current = false;
      if (!refusal) reset();
    }
  }, [saving, navigation.state, refusal, reset]);
}

/** A disclosure, not a script dialog: typing the number is the confirmation, with or without JavaScript. */
function EraseForm({ number, lastResult }: { number: string; lastResult: Answer }) {
  const [form, fields] = useForm({
    id: "erase",
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: EraseSchema }),
    shouldValidate: "onSubmit",
  });
  return (
    <details open={lastResult ? true : undefined} className={`${PANEL} border-red-200`}>
      <summary className="cursor-pointer font-semibold text-red-800">Erase this contact…</summary>
      <Form method="post" className="mt-2 space-y-3" {...getFormProps(form)}>
        <p className="text-sm text-slate-700">
          Deletes every conversation with {number} on all of our numbers, their messages and notes, and these contact
          details, for a data-protection request. It cannot be undone.
        </p>
        <input type="hidden" name="intent" value="erase" />
        <Field
          label="Type their number to confirm"
          errors={fields.confirmNumber.errors}
          inputProps={{ ...getInputProps(fields.confirmNumber, { type: "tel" }), autoComplete: "off" }}
        />
        <SubmitButton match={{ intent: "erase" }} variant="danger" pendingText="Erasing…">
          Erase everything
        </SubmitButton>
      </Form>
    </details>
  );
}
