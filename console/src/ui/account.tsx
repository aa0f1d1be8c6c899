/**
 * The account page: this session (role, subject, expiry) and the account's
 * roles, access keys and API keys from the management API — shown as not
 * available when the server does not offer it.
 */
import { useEffect, useState } from 'preact/hooks';
import { type AdminResource, type AdminResult, listAdmin } from '../admin/admin-client.ts';
import type { Session } from '../auth/session.ts';
import type { S3Client } from '../s3/client.ts';
import { text } from '../text.ts';
import { explain, Notice, type NoticeValue } from './notice.tsx';

const SECTIONS: Array<[AdminResource, string]> = [
  ['roles', text.account.roles],
  ['accessKeys', text.account.accessKeys],
  ['apiKeys', text.account.apiKeys],
];

function AdminSection({ client, resource, title }: { client: S3Client; resource: AdminResource; title: string }) {
  const [result, setResult] = useState<AdminResult>();
  const [notice, setNotice] = useState<NoticeValue>();
  useEffect(() => {
    listAdmin(client, resource).then(setResult, (error: unknown) => setNotice(explain(text.actions.account, error)));
  }, [client, resource]);
  const columns = result?.kind === 'items' ? [...new Set(result.items.flatMap((item) => Object.keys(item)))].filter((key) => !/secret/i.test(key)).slice(0, 6) : [];
  return (
    <section class="panel" aria-labelledby={`admin-${resource}`} data-testid={`admin-${resource}`}>
      <h2 id={`admin-${resource}`}>{title}</h2>
      {notice && <Notice notice={notice} onDismiss={() => setNotice(undefined)} />}
      {result === undefined && !notice && <p aria-busy="true">{text.loading}</p>}
      {result?.kind === 'unavailable' && <p class="hint">{text.account.notAvailable}</p>}
      {result?.kind === 'items' && (result.items.length === 0 ? <p>{text.account.none}</p> : (
        <div class="scroll">
          <table>
            <thead><tr>{columns.map((column) => <th key={column} scope="col">{column}</th>)}</tr></thead>
            <tbody>{result.items.map((item, i) => <tr key={i}>{columns.map((column) => <td key={column}>{typeof item[column] === 'object' ? JSON.stringify(item[column]) : String(item[column] ?? '')}</td>)}</tr>)}</tbody>
          </table>
        </div>
      ))}
    </section>
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
      {managementApi ? (
        SECTIONS.map(([resource, title]) => <AdminSection key={resource} client={client} resource={resource} title={title} />)
      ) : (
        <section class="panel" data-testid="admin-unavailable"><p class="hint">{text.account.notAvailable}</p></section>
      )}
    </section>
  );
}
