/** What an account section shows while its list loads, is not offered, or was refused. */
import type { ComponentChildren } from 'preact';
import { text } from '../text.ts';
import { Notice } from './notice.tsx';
import type { ListState } from './use-admin-list.ts';

export function ListStatus<T>({ state, onRetry, children }: { state: ListState<T>; onRetry(): void; children: (items: T[]) => ComponentChildren }) {
  switch (state.kind) {
    case 'loading':
      return <p aria-busy="true">{text.loading}</p>;
    case 'unavailable':
      return <p class="hint">{text.account.notAvailableBecause(state.why)}</p>;
    case 'failed':
      return <Notice notice={state.notice} onDismiss={onRetry} />;
    case 'items':
      return state.items.length === 0 ? <p>{text.account.none}</p> : <>{children(state.items)}</>;
  }
}
