/**
 * The account page: this session (role, subject, expiry), then — from the
 * management API, signed with the session's credentials — the account it
 * acts for, its roles with their claim constraints, access keys, API keys
 * and registered identity providers. A server without the API, or a session
 * it refuses (a role other than `_default`), is explained, not hidden.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { AdminClient, type Caller } from '../admin/admin-client.ts';
import type { Session } from '../auth/session.ts';
import type { S3Client } from '../s3/client.ts';
import { S3RequestError } from '../s3/errors.ts';
import { text } from '../text.ts';
import { AccessKeysSection, ApiKeysSection } from './account-keys.tsx';
import { IdentityProvidersSection, RolesSection } from './account-roles.tsx';
import { explain, Notice, type NoticeValue } from './notice.tsx';

function Management({ client }: { client: S3Client }) {
  const admin = useMemo(() => new AdminClient(client), [client]);
  const [caller, setCaller] = useState<Caller>();
  const [unavailable, setUnavailable] = useState<string>();
  const [notice, setNotice] = useState<NoticeValue>();
  useEffect(() => {
    admin.whoAmI().then(setCaller, (error: unknown) => {
      if (error instanceof S3RequestError && error.code === 'NotAvailable') setUnavailable(error.message);
      else setNotice(explain(text.actions.account, error));
    });
  }, [admin]);
  if (unavailable !== undefined) return <section class="panel" data-testid="admin-unavailable"><p class="hint">{text.account.notAvailableBecause(unavailable)}</p></section>;
  if (notice) return <section class="panel" data-testid="admin-refused"><Notice notice={notice} onDismiss={() => setNotice(undefined)} /></section>;
  if (!caller) return <p aria-busy="true">{text.loading}</p>;
  return (
    <>
      <p data-testid="admin-account">{text.account.accountName}: <strong>{caller.account}</strong></p>
      <RolesSection admin={admin} account={caller.account} />
      <AccessKeysSection admin={admin} account={caller.account} />
      <ApiKeysSection admin={admin} account={caller.account} />
      <IdentityProvidersSection admin={admin} account={caller.account} />
    </>
  );
}

export function Account({ client, session, managementApi }: { client: S3Client; session?: Session; managementApi: boolean }) {
  if (!session) return <section><h1>{text.account.title}</h1><p>{text.account.signInFirst}</p></section>;
  return (
    <section aria-labelledby="account-title">
      <h1 id="account-title">{text.account.title}</h1>
      <section class="panel" aria-labelledby="session-title">
        <h2 id="session-title">{text.account.session}</h2>
        <dl class="details">
          <dt>{text.account.role}</dt><dd class="break">{session.roleArn}</dd>
          <dt>{text.account.subject}</dt><dd class="break">{session.subject}</dd>
          <dt>{text.account.expires}</dt><dd>{text.dateTime(session.credentials.expiration)}</dd>
        </dl>
      </section>
      {managementApi ? <Management client={client} /> : (
        <section class="panel" data-testid="admin-unavailable"><p class="hint">{text.account.notAvailable}</p></section>
      )}
    </section>
  );
}
