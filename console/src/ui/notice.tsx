/** How a failure is shown: what was attempted, and the server's own code and message. */
import { S3RequestError } from '../s3/errors.ts';
import { text } from '../text.ts';

export interface NoticeValue {
  kind: 'error' | 'info';
  message: string;
}

export function explain(action: string, error: unknown): NoticeValue {
  if (error instanceof S3RequestError) {
    if (error.status === 0) return { kind: 'error', message: text.failed(action, error.code === 'NetworkError' ? text.networkError : error.message) };
    return { kind: 'error', message: text.denied(action, error.code, error.message || String(error.status)) };
  }
  return { kind: 'error', message: text.failed(action, error instanceof Error ? error.message : String(error)) };
}

export function Notice({ notice, onDismiss }: { notice: NoticeValue; onDismiss: () => void }) {
  return (
    <div class={`notice notice-${notice.kind}`} role={notice.kind === 'error' ? 'alert' : 'status'}>
      <span>{notice.message}</span>
      <button type="button" class="link" onClick={onDismiss}>{text.dismiss}</button>
    </div>
  );
}
