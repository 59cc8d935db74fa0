/** A labelled input with an optional hint and error, wired for screen readers. */
import { useId } from 'preact/hooks';

export interface FieldProps {
  label: string;
  value: string;
  onInput: (value: string) => void;
  type?: 'text' | 'password';
  hint?: string;
  error?: string | undefined;
  autoComplete?: string;
  autoFocus?: boolean;
  required?: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}

export function Field(p: FieldProps) {
  const id = useId();
  const describedBy = [p.hint ? `${id}-hint` : '', p.error ? `${id}-error` : '']
    .filter(Boolean)
    .join(' ');
  const attrs = {
    id,
    value: p.value,
    onInput: (e: { currentTarget: HTMLInputElement }) => p.onInput(e.currentTarget.value),
    autoComplete: p.autoComplete,
    autoFocus: p.autoFocus,
    required: p.required,
    minLength: p.minLength,
    maxLength: p.maxLength,
    pattern: p.pattern,
    'aria-invalid': p.error ? true : undefined,
    'aria-describedby': describedBy || undefined,
    autoCapitalize: 'off' as const,
    spellcheck: false,
  };
  return (
    <div class="field">
      <label for={id}>{p.label}</label>
      {p.type === 'password' ? (
        <input type="password" {...attrs} />
      ) : (
        <input type="text" {...attrs} />
      )}
      {p.hint && (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      )}
      {p.error && (
        <p class="error" id={`${id}-error`} role="alert">
          {p.error}
        </p>
      )}
    </div>
  );
}
