import type { ReactNode } from "react";
import { Form } from "react-router";
import { SubmitButton } from "./forms";

/**
 * A step that takes something away behind a disclosure, not a script dialog:
 * "Delete…" opens, says what follows, and only its button does it. Works the
 * same without JavaScript. `field` names the row it acts on.
 */
export function ConfirmForm({
  summary,
  subject,
  consequence,
  field,
  intent,
  pendingText,
  children,
}: {
  summary: string;
  /** The row's name, for screen readers: "Delete… Opening hours". */
  subject: string;
  consequence: ReactNode;
  field: { name: string; value: string };
  intent: string;
  pendingText: string;
  children: ReactNode;
}) {
  return (
    <details className="mt-2">
      <summary className="cursor-pointer text-sm font-medium text-red-700">
        {summary}
        <span className="sr-only"> {subject}</span>
      </summary>
      <Form method="post" className="mt-2 max-w-md space-y-2 rounded-md border border-red-200 bg-red-50 p-3">
        <p className="text-sm text-red-900">{consequence}</p>
        <input type="hidden" name={field.name} value={field.value} />
        <SubmitButton
          name="intent"
          value={intent}
          match={{ [field.name]: field.value }}
          variant="danger"
          pendingText={pendingText}
          className="max-w-full break-words"
        >
          {children}
        </SubmitButton>
      </Form>
    </details>
  );
}
