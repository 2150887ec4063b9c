import {
  useId,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from "react";
import { useNavigation } from "react-router";

type Errors = string[] | undefined;

export function ErrorList({ id, errors }: { id?: string; errors: Errors }) {
  if (!errors?.length) return null;
  return (
    <ul id={id} className="mt-1 space-y-1 text-sm text-red-700">
      {errors.map((error) => (
        <li key={error}>{error}</li>
      ))}
    </ul>
  );
}

/** Form-wide errors ("Invalid email or password"), announced to screen readers. */
export function FormErrors({ id, errors }: { id?: string; errors: Errors }) {
  if (!errors?.length) return null;
  return (
    <div id={id} role="alert" className="rounded-md border border-red-200 bg-red-50 p-3 text-sm text-red-800">
      {errors.map((error) => (
        <p key={error}>{error}</p>
      ))}
    </div>
  );
}

const CONTROL =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm focus:border-brand-500 focus:outline-2 focus:outline-brand-500 aria-invalid:border-red-500";

// The id conform gives a field's errors (its `errorId`), so a field's error list can be found from its id alone.
const errorIdOf = (id: string) => `${id}-error`;

export function Field({
  label,
  hint,
  errors,
  inputProps,
}: {
  label: string;
  hint?: ReactNode;
  errors: Errors;
  inputProps: InputHTMLAttributes<HTMLInputElement>;
}) {
  const fallbackId = useId();
  const id = inputProps.id ?? fallbackId;
  const errorId = errors?.length ? errorIdOf(id) : undefined;
  const hintId = hint ? `${id}-hint` : undefined;
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <input
        {...inputProps}
        id={id}
        aria-invalid={errorId ? true : undefined}
        aria-describedby={[hintId, errorId].filter(Boolean).join(" ") || undefined}
        className={CONTROL}
      />
      {hint ? (
        <p id={hintId} className="mt-1 text-sm text-slate-500">
          {hint}
        </p>
      ) : null}
      <ErrorList id={errorId} errors={errors} />
    </div>
  );
}

/**
 * A submit button that says what is happening while its form is in flight.
 * `match` names other fields the form in flight must carry, for one row's
 * button among many alike (`{ userId }`).
 */
export function SubmitButton({
  children,
  pendingText,
  name,
  value,
  match = {},
  variant = "primary",
  className = "",
}: {
  children: ReactNode;
  pendingText: string;
  name?: string;
  value?: string;
  match?: Record<string, string>;
  /** One primary button per screen: the step to take next. Danger: a step that takes something away. */
  variant?: "primary" | "secondary" | "danger";
  className?: string;
}) {
  const navigation = useNavigation();
  const sent = navigation.formData;
  const pending =
    navigation.state === "submitting" &&
    (name === undefined || sent?.get(name) === value) &&
    Object.entries(match).every(([field, expected]) => sent?.get(field) === expected);
  return (
    <button
      type="submit"
      name={name}
      value={value}
      disabled={pending}
      aria-disabled={pending}
      className={`btn-${variant} ${className}`}
    >
      {pending ? pendingText : children}
    </button>
  );
}

export function AuthCard({ title, subtitle, children }: { title: string; subtitle?: ReactNode; children: ReactNode }) {
  return (
    <section className="mx-auto max-w-md">
      <h1 className="text-2xl font-bold text-slate-900">{title}</h1>
      {subtitle ? <p className="mt-1 text-slate-600">{subtitle}</p> : null}
      <div className="mt-6 rounded-xl border border-slate-200 bg-white p-6 shadow-sm">{children}</div>
    </section>
  );
}

type ControlField<P> = { label: string; errors: Errors; controlProps: P & { id: string } };

/** A select with its label and errors; `onPick` hears each choice as it is made (with JavaScript). */
export function SelectField({
  label,
  errors,
  controlProps,
  options,
  onPick,
}: ControlField<SelectHTMLAttributes<HTMLSelectElement>> & {
  options: { value: string; label: string }[];
  onPick?: (value: string) => void;
}) {
  return (
    <div>
      <label htmlFor={controlProps.id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <select {...controlProps} onChange={onPick && ((event) => onPick(event.currentTarget.value))} className={CONTROL}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <ErrorList id={errorIdOf(controlProps.id)} errors={errors} />
    </div>
  );
}

export function TextareaField({
  label,
  errors,
  controlProps,
}: ControlField<TextareaHTMLAttributes<HTMLTextAreaElement>>) {
  return (
    <div>
      <label htmlFor={controlProps.id} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <textarea {...controlProps} className={CONTROL} />
      <ErrorList id={errorIdOf(controlProps.id)} errors={errors} />
    </div>
  );
}
