/**
 * The account's roles, each with its bindings' claim constraints (who may
 * assume it), and the identity providers the account registered — read from
 * the management API. The management API offers no dry run of a token
 * against a role, so the page shows none.
 */
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { AdminClient, RoleBinding, RoleSummary } from '../admin/admin-client.ts';
import { text } from '../text.ts';
import { ListStatus } from './list-status.tsx';
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
                    <td><Bindings admin={admin} account={account} role={role} /></td>
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
