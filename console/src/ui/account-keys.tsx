/**
 * The account's access keys and API keys: listed (never a secret), created
 * — the secret access key or the API key token shown once, with a copy
 * button — and revoked. A refused creation or revocation is explained with
 * the management API's code, message and every problem it listed.
 */
import { useCallback, useState } from 'preact/hooks';
import type { AdminClient } from '../admin/admin-client.ts';
import { text } from '../text.ts';
import { ListStatus } from './list-status.tsx';
import { explain, Notice, type NoticeValue } from './notice.tsx';
import { ShownOnce } from './shown-once.tsx';
import { useAdminList } from './use-admin-list.ts';

/** A date picked in the form as the start of that day, UTC (what the API's ISO 8601 with a zone needs). */
const expiry = (date: string) => (date === '' ? undefined : `${date}T00:00:00Z`);
const when = (iso: string | null) => (iso ? text.dateTime(new Date(iso)) : '—');

function useAction(onDone: () => void) {
  const [notice, setNotice] = useState<NoticeValue>();
  const run = async (action: string, work: () => Promise<string | void>) => {
    setNotice(undefined);
    try {
      const message = await work();
      if (message) setNotice({ kind: 'info', message });
    } catch (error) {
      setNotice(explain(action, error));
    }
    onDone();
  };
  return { notice, setNotice, run };
}

export function AccessKeysSection({ admin, account }: { admin: AdminClient; account: string }) {
  const { state, reload } = useAdminList(useCallback(() => admin.listAccessKeys(account), [admin, account]));
  const { notice, setNotice, run } = useAction(reload);
  const [created, setCreated] = useState<{ id: string; secret: string }>();
  const [label, setLabel] = useState('');
  const [readOnly, setReadOnly] = useState(false);
  const [prefixes, setPrefixes] = useState('');
  const [expires, setExpires] = useState('');

  const create = (e: Event) => {
    e.preventDefault();
    const list = prefixes.split(',').map((p) => p.trim()).filter((p) => p !== '');
    void run(text.actions.createAccessKey, async () => {
      const key = await admin.createAccessKey(account, { label, readOnly, ...(list.length > 0 && { prefixes: list }), ...(expiry(expires) && { expiresAt: expiry(expires) }) });
      setCreated({ id: key.accessKeyId, secret: key.secretAccessKey });
      setLabel('');
      setPrefixes('');
      setExpires('');
    });
  };
  const revoke = (id: string) => {
    if (!confirm(text.account.revokeConfirm(id))) return;
    void run(text.actions.revokeAccessKey, async () => {
      await admin.revokeAccessKey(account, id);
      return text.account.revoked(id);
    });
  };

  return (
    <section class="panel" aria-labelledby="admin-access-keys-title" data-testid="admin-accessKeys">
      <h2 id="admin-access-keys-title">{text.account.accessKeys}</h2>
      {notice && <Notice notice={notice} onDismiss={() => setNotice(undefined)} />}
      {created && (
        <ShownOnce intro={text.account.secretOnce} onDone={() => setCreated(undefined)} fields={[
          { label: text.account.accessKeyId, value: created.id },
          { label: text.account.secretAccessKey, value: created.secret, secret: true },
        ]} />
      )}
      <ListStatus state={state} onRetry={reload}>
        {(keys) => (
          <div class="scroll">
            <table>
              <thead><tr><th scope="col">{text.account.accessKeyId}</th><th scope="col">{text.account.label}</th><th scope="col">{text.account.state}</th><th scope="col" class="wide">{text.account.scope}</th><th scope="col" class="wide">{text.account.lastUsed}</th><th scope="col"><span class="visually-hidden">{text.account.revoke('')}</span></th></tr></thead>
              <tbody>
                {keys.map((key) => (
                  <tr key={key.accessKeyId} data-key={key.accessKeyId} data-status={key.status}>
                    <td><code>{key.accessKeyId}</code></td>
                    <td>{key.label}</td>
                    <td>{key.status}</td>
                    <td class="wide">{key.readOnly ? text.account.readOnly : text.account.fullAccess}{key.prefixes && ` ${text.account.under(key.prefixes.join(', '))}`}</td>
                    <td class="wide">{when(key.lastUsedAt)}</td>
                    <td>{key.status !== 'revoked' && <button type="button" class="link" onClick={() => revoke(key.accessKeyId)}>{text.account.revoke(key.accessKeyId)}</button>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </ListStatus>
      {state.kind !== 'unavailable' && (
        <form class="admin-form" onSubmit={create} aria-labelledby="new-access-key-title">
          <h3 id="new-access-key-title">{text.account.newAccessKey}</h3>
          <label>{text.account.label}<input type="text" value={label} maxLength={200} onInput={(e) => setLabel((e.target as HTMLInputElement).value)} /></label>
          <label class="check"><input type="checkbox" checked={readOnly} onChange={(e) => setReadOnly((e.target as HTMLInputElement).checked)} />{text.account.readOnlyLabel}</label>
          <label>{text.account.prefixesLabel}<input type="text" value={prefixes} onInput={(e) => setPrefixes((e.target as HTMLInputElement).value)} /></label>
          <label>{text.account.expiresLabel}<input type="date" value={expires} onInput={(e) => setExpires((e.target as HTMLInputElement).value)} /></label>
          <div class="row"><button type="submit">{text.account.create}</button></div>
        </form>
      )}
    </section>
  );
}

export function ApiKeysSection({ admin, account }: { admin: AdminClient; account: string }) {
  const { state, reload } = useAdminList(useCallback(() => admin.listApiKeys(account), [admin, account]));
  const { notice, setNotice, run } = useAction(reload);
  const [created, setCreated] = useState<{ jti: string; token: string }>();
  const [label, setLabel] = useState('');
  const [role, setRole] = useState('');
  const [expires, setExpires] = useState('');

  const create = (e: Event) => {
    e.preventDefault();
    void run(text.actions.createApiKey, async () => {
      const key = await admin.createApiKey(account, { label, ...(role.trim() !== '' && { role: role.trim() }), ...(expiry(expires) && { expiresAt: expiry(expires) }) });
      setCreated({ jti: key.jti, token: key.token });
      setLabel('');
      setRole('');
      setExpires('');
    });
  };
  const revoke = (jti: string) => {
    if (!confirm(text.account.revokeConfirm(jti))) return;
    void run(text.actions.revokeApiKey, async () => {
      await admin.revokeApiKey(account, jti);
      return text.account.revoked(jti);
    });
  };

  return (
    <section class="panel" aria-labelledby="admin-api-keys-title" data-testid="admin-apiKeys">
      <h2 id="admin-api-keys-title">{text.account.apiKeys}</h2>
      {notice && <Notice notice={notice} onDismiss={() => setNotice(undefined)} />}
      {created && (
        <ShownOnce intro={text.account.tokenOnce} onDone={() => setCreated(undefined)} fields={[
          { label: text.account.id, value: created.jti },
          { label: text.account.token, value: created.token, secret: true },
        ]} />
      )}
      <ListStatus state={state} onRetry={reload}>
        {(keys) => (
          <div class="scroll">
            <table>
              <thead><tr><th scope="col">{text.account.id}</th><th scope="col">{text.account.label}</th><th scope="col">{text.account.state}</th><th scope="col" class="wide">{text.account.role}</th><th scope="col" class="wide">{text.account.expiresAt}</th><th scope="col"><span class="visually-hidden">{text.account.revoke('')}</span></th></tr></thead>
              <tbody>
                {keys.map((key) => (
                  <tr key={key.jti} data-key={key.jti} data-status={key.status}>
                    <td><code>{key.jti}</code></td>
                    <td>{key.label}</td>
                    <td>{key.status}</td>
                    <td class="wide break">{key.role ?? text.account.anyRole}</td>
                    <td class="wide">{when(key.expiresAt)}</td>
                    <td>{key.status !== 'revoked' && <button type="button" class="link" onClick={() => revoke(key.jti)}>{text.account.revoke(key.jti)}</button>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </ListStatus>
      {state.kind !== 'unavailable' && (
        <form class="admin-form" onSubmit={create} aria-labelledby="new-api-key-title">
          <h3 id="new-api-key-title">{text.account.newApiKey}</h3>
          <label>{text.account.label}<input type="text" value={label} maxLength={200} onInput={(e) => setLabel((e.target as HTMLInputElement).value)} /></label>
          <label>{text.account.roleLabel}<input type="text" value={role} onInput={(e) => setRole((e.target as HTMLInputElement).value)} /></label>
          <label>{text.account.expiresLabel}<input type="date" value={expires} onInput={(e) => setExpires((e.target as HTMLInputElement).value)} /></label>
          <div class="row"><button type="submit">{text.account.create}</button></div>
        </form>
      )}
    </section>
  );
}
