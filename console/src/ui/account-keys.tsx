/**
 * The account's access keys and API keys: listed (never a secret), created
 * — the secret access key or the API key token shown once, with a copy
 * button — and revoked. A refused creation or revocation is explained with
 * the management API's code, message and every problem it listed. Both
 * kinds share one panel (notice, shown-once secret, key table with revoke,
 * creation form); each section supplies only its columns and form fields.
 */
import type { ComponentChildren } from 'preact';
import { useCallback, useState } from 'preact/hooks';
import type { AdminClient } from '../admin/admin-client.ts';
import { text } from '../text.ts';
import { ListStatus } from './list-status.tsx';
import { explain, Notice, type NoticeValue } from './notice.tsx';
import { ShownOnce } from './shown-once.tsx';
import { type ListState, useAdminList } from './use-admin-list.ts';

/** A date picked in the form as the start of that day, UTC (what the API's ISO 8601 with a zone needs). */
const expiry = (date: string) => (date === '' ? undefined : `${date}T00:00:00Z`);
const when = (iso: string | null) => (iso ? text.dateTime(new Date(iso)) : '—');
const inputValue = (e: Event) => (e.target as HTMLInputElement).value;

type ShownFields = Array<{ label: string; value: string; secret?: boolean }>;

/** A section's notice, its create/revoke runner (the list reloads after either) and the secret shown once. */
function useKeyActions(reload: () => void, revokeAction: string, revokeKey: (id: string) => Promise<unknown>) {
  const [notice, setNotice] = useState<NoticeValue>();
  const [shown, setShown] = useState<ShownFields>();
  const run = async (action: string, work: () => Promise<string | void>) => {
    setNotice(undefined);
    try {
      const message = await work();
      if (message) setNotice({ kind: 'info', message });
    } catch (error) {
      setNotice(explain(action, error));
    }
    reload();
  };
  const revoke = (id: string) => {
    if (!confirm(text.account.revokeConfirm(id))) return;
    void run(revokeAction, async () => {
      await revokeKey(id);
      return text.account.revoked(id);
    });
  };
  return { notice, dismiss: () => setNotice(undefined), shown, setShown, run, revoke };
}

/** One column after the key's id, label and state; `wide` columns fold away on narrow screens. */
interface KeyColumn<K> {
  header: string;
  cellClass: string;
  cell(key: K): ComponentChildren;
}

interface KeysPanelProps<K> {
  name: 'access-keys' | 'api-keys';
  testId: string;
  title: string;
  idHeader: string;
  shownIntro: string;
  actions: ReturnType<typeof useKeyActions>;
  state: ListState<K>;
  reload(): void;
  idOf(key: K): string;
  columns: Array<KeyColumn<K>>;
  form: ComponentChildren;
}

function KeysPanel<K extends { label: string; status: string }>(p: KeysPanelProps<K>) {
  const { notice, dismiss, shown, setShown, revoke } = p.actions;
  return (
    <section class="panel" aria-labelledby={`admin-${p.name}-title`} data-testid={p.testId}>
      <h2 id={`admin-${p.name}-title`}>{p.title}</h2>
      {notice && <Notice notice={notice} onDismiss={dismiss} />}
      {shown && <ShownOnce intro={p.shownIntro} onDone={() => setShown(undefined)} fields={shown} />}
      <ListStatus state={p.state} onRetry={p.reload}>
        {(keys) => (
          <div class="scroll">
            <table>
              <thead><tr><th scope="col">{p.idHeader}</th><th scope="col">{text.account.label}</th><th scope="col">{text.account.state}</th>{p.columns.map((c) => <th key={c.header} scope="col" class="wide">{c.header}</th>)}<th scope="col"><span class="visually-hidden">{text.account.revoke('')}</span></th></tr></thead>
              <tbody>
                {keys.map((key) => {
                  const id = p.idOf(key);
                  return (
                    <tr key={id} data-key={id} data-status={key.status}>
                      <td><code>{id}</code></td>
                      <td>{key.label}</td>
                      <td>{key.status}</td>
                      {p.columns.map((c) => <td key={c.header} class={c.cellClass}>{c.cell(key)}</td>)}
                      <td>{key.status !== 'revoked' && <button type="button" class="link" onClick={() => revoke(id)}>{text.account.revoke(id)}</button>}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </ListStatus>
      {p.state.kind !== 'unavailable' && p.form}
    </section>
  );
}

/** The creation form: a label first, the kind's own fields, then the expiry date and the submit button. */
function KeyForm(p: { titleId: string; title: string; onSubmit(e: Event): void; label: string; setLabel(v: string): void; expires: string; setExpires(v: string): void; children: ComponentChildren }) {
  return (
    <form class="admin-form" onSubmit={p.onSubmit} aria-labelledby={p.titleId}>
      <h3 id={p.titleId}>{p.title}</h3>
      <label>{text.account.label}<input type="text" value={p.label} maxLength={200} onInput={(e) => p.setLabel(inputValue(e))} /></label>
      {p.children}
      <label>{text.account.expiresLabel}<input type="date" value={p.expires} onInput={(e) => p.setExpires(inputValue(e))} /></label>
      <div class="row"><button type="submit">{text.account.create}</button></div>
    </form>
  );
}

export function AccessKeysSection({ admin, account }: { admin: AdminClient; account: string }) {
  const { state, reload } = useAdminList(useCallback(() => admin.listAccessKeys(account), [admin, account]));
  const actions = useKeyActions(reload, text.actions.revokeAccessKey, (id) => admin.revokeAccessKey(account, id));
  const [label, setLabel] = useState('');
  const [readOnly, setReadOnly] = useState(false);
  const [prefixes, setPrefixes] = useState('');
  const [expires, setExpires] = useState('');

  const create = (e: Event) => {
    e.preventDefault();
    const list = prefixes.split(',').map((p) => p.trim()).filter((p) => p !== '');
    void actions.run(text.actions.createAccessKey, async () => {
      const key = await admin.createAccessKey(account, { label, readOnly, ...(list.length > 0 && { prefixes: list }), ...(expiry(expires) && { expiresAt: expiry(expires) }) });
      actions.setShown([
        { label: text.account.accessKeyId, value: key.accessKeyId },
        { label: text.account.secretAccessKey, value: key.secretAccessKey, secret: true },
      ]);
      setLabel('');
      setPrefixes('');
      setExpires('');
    });
  };

  return (
    <KeysPanel
      name="access-keys" testId="admin-accessKeys" title={text.account.accessKeys} idHeader={text.account.accessKeyId} shownIntro={text.account.secretOnce}
      actions={actions} state={state} reload={reload} idOf={(key) => key.accessKeyId}
      columns={[
        { header: text.account.scope, cellClass: 'wide', cell: (key) => <>{key.readOnly ? text.account.readOnly : text.account.fullAccess}{key.prefixes && ` ${text.account.under(key.prefixes.join(', '))}`}</> },
        { header: text.account.lastUsed, cellClass: 'wide', cell: (key) => when(key.lastUsedAt) },
      ]}
      form={
        <KeyForm titleId="new-access-key-title" title={text.account.newAccessKey} onSubmit={create} label={label} setLabel={setLabel} expires={expires} setExpires={setExpires}>
          <label class="check"><input type="checkbox" checked={readOnly} onChange={(e) => setReadOnly((e.target as HTMLInputElement).checked)} />{text.account.readOnlyLabel}</label>
          <label>{text.account.prefixesLabel}<input type="text" value={prefixes} onInput={(e) => setPrefixes(inputValue(e))} /></label>
        </KeyForm>
      }
    />
  );
}

export function ApiKeysSection({ admin, account }: { admin: AdminClient; account: string }) {
  const { state, reload } = useAdminList(useCallback(() => admin.listApiKeys(account), [admin, account]));
  const actions = useKeyActions(reload, text.actions.revokeApiKey, (jti) => admin.revokeApiKey(account, jti));
  const [label, setLabel] = useState('');
  const [role, setRole] = useState('');
  const [expires, setExpires] = useState('');

  const create = (e: Event) => {
    e.preventDefault();
    void actions.run(text.actions.createApiKey, async () => {
      const key = await admin.createApiKey(account, { label, ...(role.trim() !== '' && { role: role.trim() }), ...(expiry(expires) && { expiresAt: expiry(expires) }) });
      actions.setShown([
        { label: text.account.id, value: key.jti },
        { label: text.account.token, value: key.token, secret: true },
      ]);
      setLabel('');
      setRole('');
      setExpires('');
    });
  };

  return (
    <KeysPanel
      name="api-keys" testId="admin-apiKeys" title={text.account.apiKeys} idHeader={text.account.id} shownIntro={text.account.tokenOnce}
      actions={actions} state={state} reload={reload} idOf={(key) => key.jti}
      columns={[
        { header: text.account.role, cellClass: 'wide break', cell: (key) => key.role ?? text.account.anyRole },
        { header: text.account.expiresAt, cellClass: 'wide', cell: (key) => when(key.expiresAt) },
      ]}
      form={
        <KeyForm titleId="new-api-key-title" title={text.account.newApiKey} onSubmit={create} label={label} setLabel={setLabel} expires={expires} setExpires={setExpires}>
          <label>{text.account.roleLabel}<input type="text" value={role} onInput={(e) => setRole(inputValue(e))} /></label>
        </KeyForm>
      }
    />
  );
}
