/**
 * Outbound secrets in the PostgreSQL policy database: issuer keys and
 * connections' static keys, sealed with the master key and bound to their
 * row exactly as in the SQLite store (`issuer-key:{kid}`,
 * `connection:{name}:…`), so a database moved between the two keeps its
 * meaning. A status change is one transaction; at most one key is active.
 */
import type pg from 'pg';
import type { SecretBox } from '../../auth/secret-box.ts';
import type { IssuerAlgorithm } from '../../oidc/issuer/issuer-keys.ts';
import type { IssuerKeyStatus, OutboundSecretStore, StoredConnectionCredentials, StoredIssuerKey } from '../outbound-store.ts';
import { OutboundSecretUnreadableError } from '../sql/errors.ts';

interface IssuerKeyRow {
  kid: string;
  alg: IssuerAlgorithm;
  status: IssuerKeyStatus;
  private_key_ciphertext: string;
  created_at: Date;
}

interface CredentialsRow {
  access_key_id: string;
  secret_ciphertext: string;
  session_token_ciphertext: string | null;
}

export class PostgresOutboundSecrets implements OutboundSecretStore {
  constructor(private readonly pool: pg.Pool, private readonly box: SecretBox, private readonly now: () => Date) {}

  async issuerKeys(): Promise<StoredIssuerKey[]> {
    const { rows } = await this.pool.query<IssuerKeyRow>(`SELECT * FROM issuer_keys WHERE status <> 'retired' ORDER BY created_at, kid COLLATE "C"`);
    return Promise.all(rows.map(async (row) => ({
      kid: row.kid,
      alg: row.alg,
      status: row.status,
      createdAt: row.created_at,
      privateKeyPem: await this.open(row.private_key_ciphertext, `issuer-key:${row.kid}`),
    })));
  }

  async listIssuerKeys(): Promise<Omit<StoredIssuerKey, 'privateKeyPem'>[]> {
    const { rows } = await this.pool.query<IssuerKeyRow>('SELECT kid, alg, status, created_at FROM issuer_keys ORDER BY created_at, kid COLLATE "C"');
    return rows.map((row) => ({ kid: row.kid, alg: row.alg, status: row.status, createdAt: row.created_at }));
  }

  async addIssuerKey(key: StoredIssuerKey): Promise<void> {
    const sealed = await this.box.seal(key.privateKeyPem, `issuer-key:${key.kid}`);
    await this.pool.query('INSERT INTO issuer_keys (kid, alg, status, private_key_ciphertext, created_at) VALUES ($1, $2, $3, $4, $5)',
      [key.kid, key.alg, key.status, sealed, key.createdAt]);
  }

  async setIssuerKeyStatuses(changes: readonly { kid: string; status: IssuerKeyStatus }[]): Promise<void> {
    // Demote before promoting, so the one-active index holds at every step.
    const ordered = [...changes].sort((a, b) => Number(a.status === 'active') - Number(b.status === 'active'));
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      for (const change of ordered) {
        const result = await client.query('UPDATE issuer_keys SET status = $1 WHERE kid = $2', [change.status, change.kid]);
        if (result.rowCount !== 1) throw new TypeError(`no issuer key ${change.kid}`);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async connectionCredentials(connection: string): Promise<StoredConnectionCredentials | null> {
    const { rows: [row] } = await this.pool.query<CredentialsRow>(
      'SELECT access_key_id, secret_ciphertext, session_token_ciphertext FROM connection_credentials WHERE connection = $1', [connection]);
    if (!row) return null;
    const context = `connection:${connection}:${row.access_key_id}`;
    const secretAccessKey = await this.open(row.secret_ciphertext, context);
    const sessionToken = row.session_token_ciphertext === null ? undefined : await this.open(row.session_token_ciphertext, `${context}:session-token`);
    return { accessKeyId: row.access_key_id, secretAccessKey, ...(sessionToken !== undefined && { sessionToken }) };
  }

  async setConnectionCredentials(connection: string, credentials: StoredConnectionCredentials): Promise<void> {
    const context = `connection:${connection}:${credentials.accessKeyId}`;
    const secret = await this.box.seal(credentials.secretAccessKey, context);
    const token = credentials.sessionToken === undefined ? null : await this.box.seal(credentials.sessionToken, `${context}:session-token`);
    await this.pool.query(
      `INSERT INTO connection_credentials (connection, access_key_id, secret_ciphertext, session_token_ciphertext, updated_at)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (connection) DO UPDATE SET access_key_id = excluded.access_key_id, secret_ciphertext = excluded.secret_ciphertext,
         session_token_ciphertext = excluded.session_token_ciphertext, updated_at = excluded.updated_at`,
      [connection, credentials.accessKeyId, secret, token, this.now()],
    );
  }

  private async open(ciphertext: string, context: string): Promise<string> {
    try {
      return await this.box.open(ciphertext, context);
    } catch (error) {
      throw new OutboundSecretUnreadableError(context.startsWith('issuer-key:') ? `issuer key ${context.slice(11)}` : `connection ${context.split(':')[1]}`, error);
    }
  }
}
