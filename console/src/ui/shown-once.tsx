/**
 * A secret the server returns only once (a secret access key, an API key
 * token): shown in a read-only field with a copy button, until the person
 * dismisses it; the console keeps it nowhere else.
 */
import { useState } from 'preact/hooks';
import { text } from '../text.ts';

export function ShownOnce({ intro, fields, onDone }: { intro: string; fields: Array<{ label: string; value: string; secret?: boolean }>; onDone(): void }) {
  const [status, setStatus] = useState<string>();
  const copy = async (value: string) => {
    try {
      await navigator.clipboard.writeText(value);
      setStatus(text.account.copied);
    } catch {
      setStatus(text.account.copyFailed);
    }
  };
  return (
    <div class="shown-once" data-testid="shown-once">
      <p><strong>{intro}</strong></p>
      {fields.map((field) => (
        <div class="row" key={field.label}>
          <label class="shown-once-label">
            {field.label}
            <input class="share-url" type="text" readOnly value={field.value} data-secret={field.secret ? 'true' : undefined} onFocus={(e) => (e.target as HTMLInputElement).select()} />
          </label>
          <button type="button" onClick={() => void copy(field.value)} aria-label={`${text.account.copy} ${field.label}`}>{text.account.copy}</button>
        </div>
      ))}
      {status && <p class="hint" role="status">{status}</p>}
      <button type="button" onClick={onDone}>{text.account.done}</button>
    </div>
  );
}
