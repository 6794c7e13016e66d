/**
 * Form pieces shared by every page: a labelled field that shows its error next to itself.
 *
 * @example
 * <Field name="handle" label="Handle" value={form.handle} errors={errors} autocomplete="username" />
 */

/** A field name -> message map; `_form` holds a message about the form as a whole. */
export type FieldErrors = Record<string, string>;

export interface FieldProps {
  name: string;
  label: string;
  value?: string;
  errors?: FieldErrors;
  type?: string;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  maxlength?: number;
  minlength?: number;
  multiline?: boolean;
  /** For number fields: "any" lets decimals through. */
  step?: string;
  inputmode?: "numeric" | "decimal";
}

export function Field(props: FieldProps) {
  const id = `field-${props.name}`;
  const error = props.errors?.[props.name];
  const described = [props.hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ");
  const common = {
    id,
    name: props.name,
    required: props.required ?? true,
    maxlength: props.maxlength,
    minlength: props.minlength,
    autocomplete: props.autocomplete,
    step: props.step,
    inputmode: props.inputmode,
    "aria-invalid": error ? "true" : undefined,
    "aria-describedby": described || undefined,
  };
  return (
    <div class={error ? "field invalid" : "field"}>
      <label for={id}>{props.label}</label>
      {props.multiline
        ? <textarea {...common} rows={4}>{props.value ?? ""}</textarea>
        : <input {...common} type={props.type ?? "text"} value={props.value ?? ""} />}
      {props.hint && <p class="hint" id={`${id}-hint`}>{props.hint}</p>}
      {error && <p class="error" id={`${id}-error`} role="alert">{error}</p>}
    </div>
  );
}

/** The message about the form as a whole (a wrong password, a spent rate limit). */
export function FormError(props: { errors?: FieldErrors }) {
  const message = props.errors?._form;
  return message ? <p class="error form-error" role="alert">{message}</p> : null;
}
