/**
 * The account's roles, each with its bindings' claim constraints (who may
 * assume it) and a dry run of a pasted token against it (which binding
 * would accept it, or every check that refuses it), and the identity
 * providers the account registered — read from the management API.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { AdminClient, RoleBinding, RoleSummary, TokenTest } from '../admin/admin-client.ts';
import { text } from '../text.ts';
import { ListStatus } from './list-status.tsx';
import { explain, Notice, type NoticeValue } from './notice.tsx';
import { useAdminList } from './use-admin-list.ts';

function Bindings({ admin, account, role }: { admin: AdminClient; account: string; role: RoleSummary }) {
  const [bindings, setBindings] = useState<RoleBinding[]>();
  const [failed, setFailed] = useState<string>();
  useEffect(() => {
    admin.roleBindings(account, role.name).then(setBindings, (error: unknown) => setFailed(error instanceof Error ? error.message : String(error)));
  }, [admin, account, role.name]);
  if (failed) return <span class="hint">{failed}</span>;
  if (!bindings) return <span aria-busy="true">{text.loading}</span>;
  return (
    <ul class="constraints">
      {bindings.map((binding, i) => (
        <li key={i}>
          {text.account.binding(binding.provider, binding.audience)}:{' '}
          {binding.claims.length === 0 ? text.account.noConstraints : binding.claims.map((c, j) => <code key={j}>{`${c.claim} ${c.operator} ${c.value}`}</code>)}
        </li>
      ))}
    </ul>
  );
}

/** Paste a token, see whether the role would accept it; the token stays in this form only. */
function TestToken({ admin, account, role }: { admin: AdminClient; account: string; role: RoleSummary }) {
  const [token, setToken] = useState('');
  const [result, setResult] = useState<TokenTest>();
  const [notice, setNotice] = useState<NoticeValue>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setResult(undefined);
    setNotice(undefined);
    setBusy(true);
    try {
      setResult(await admin.testRoleToken(account, role.name, token.trim()));
    } catch (error) {
      setNotice(explain(text.actions.testToken, error));
    } finally {
      setBusy(false);
    }
  };
  const id = `test-token-${role.name}`;
  return (
    <details class="test-token">
      <summary>{text.account.testToken}</summary>
      <form onSubmit={(e) => void submit(e)}>
        <label for={id}>{text.account.testTokenLabel(role.urn)}</label>
        <textarea id={id} rows={3} spellcheck={false} autocomplete="off" value={token} onInput={(e) => setToken((e.target as HTMLTextAreaElement).value)} required />
        <p class="hint">{text.account.testTokenHint}</p>
        <button type="submit" disabled={busy || token.trim() === ''}>{text.account.test}</button>
      </form>
      {notice && <Notice notice={notice} onDismiss={() => setNotice(undefined)} />}
      {result && (
        <div role="status" data-testid="token-test" data-allowed={String(result.allowed)}>
          {result.allowed ? <p>{text.account.tokenAccepted(result.binding ?? 0)}</p> : (
            <>
              <p>{text.account.tokenRefused}</p>
              <ul class="constraints">
                {result.failures.map((f, i) => (
                  <li key={i} data-check={f.check}>
                    {text.account.tokenFailure(f.binding, text.account.checks[f.check] ?? f.check)}
                    {f.claim !== undefined && f.operator !== undefined && <>{' '}<code>{`${f.claim} ${f.operator} ${f.expected ?? ''}`}</code></>}
                    {`: ${f.detail}`}
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}
    </details>
  );
}

export function RolesSection({ admin, account }: { admin: AdminClient; account: string }) {
  const { state, reload } = useAdminList(useCallback(() => admin.listRoles(account), [admin, account]));
  return (
    <section class="panel" aria-labelledby="admin-roles-title" data-testid="admin-roles">
      <h2 id="admin-roles-title">{text.account.roles}</h2>
      <p class="hint">{text.account.defaultRole}</p>
      <ListStatus state={state} onRetry={reload}>
        {(roles) => (
          <div class="scroll">
            <table>
              <thead><tr><th scope="col">{text.account.name}</th><th scope="col">{text.account.constraints}</th><th scope="col" class="wide">{text.account.source}</th></tr></thead>
              <tbody>
                {roles.map((role) => (
                  <tr key={role.urn} data-role={role.name}>
                    <td><span class="break">{role.urn}</span>{role.description && <div class="hint">{role.description}</div>}</td>
                    <td><Bindings admin={admin} account={account} role={role} /><TestToken admin={admin} account={account} role={role} /></td>
                    <td class="wide">{text.account.sources[role.source] ?? role.source}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </ListStatus>
    </section>
  );
}

export function IdentityProvidersSection({ admin, account }: { admin: AdminClient; account: string }) {
  const { state, reload } = useAdminList(useCallback(() => admin.listIdentityProviders(account), [admin, account]));
  return (
    <section class="panel" aria-labelledby="admin-idps-title" data-testid="admin-idps">
      <h2 id="admin-idps-title">{text.account.identityProviders}</h2>
      <ListStatus state={state} onRetry={reload}>
        {(providers) => (
          <div class="scroll">
            <table>
              <thead><tr><th scope="col">{text.account.id}</th><th scope="col">{text.account.issuer}</th><th scope="col">{text.account.audiences}</th><th scope="col" class="wide">{text.account.claims}</th></tr></thead>
              <tbody>
                {providers.map((p) => (
                  <tr key={p.id}><td>{p.id}</td><td class="break">{p.issuer}</td><td>{p.audiences.join(', ')}</td><td class="wide">{p.claims}</td></tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </ListStatus>
    </section>
  );
}
