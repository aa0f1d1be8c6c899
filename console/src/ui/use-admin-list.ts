/**
 * Loading one list of the management API for an account page section: the
 * items, "not available" (the server answers 501 or has no such API: shown
 * as a hint with its reason, not as an error), or an explained refusal; and
 * a reload after a change.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { S3RequestError } from '../s3/errors.ts';
import { text } from '../text.ts';
import { explain, type NoticeValue } from './notice.tsx';

export type ListState<T> = { kind: 'loading' } | { kind: 'items'; items: T[] } | { kind: 'unavailable'; why: string } | { kind: 'failed'; notice: NoticeValue };

export function useAdminList<T>(load: () => Promise<T[]>): { state: ListState<T>; reload(): void } {
  const [state, setState] = useState<ListState<T>>({ kind: 'loading' });
  const reload = useCallback(() => {
    load().then(
      (items) => setState({ kind: 'items', items }),
      (error: unknown) => {
        if (error instanceof S3RequestError && error.code === 'NotAvailable') setState({ kind: 'unavailable', why: error.message });
        else setState({ kind: 'failed', notice: explain(text.actions.account, error) });
      },
    );
  }, [load]);
  useEffect(reload, [reload]);
  return { state, reload };
}
