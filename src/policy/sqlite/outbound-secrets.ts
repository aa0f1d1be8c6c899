/**
 * Outbound secrets in the SQLite policy database: issuer keys and
 * connections' static keys, sealed with the master key. Each ciphertext is
 * bound to its row (`issuer-key:{kid}`, `connection:{name}:…`), so rows
 * cannot be swapped; a status change is one transaction, and at most one
 * key is active (a unique index says so).
 */
import type { Database } from 'better-sqlite3';
import type { SecretBox } from '../../auth/secret-box.ts';
import type { IssuerAlgorithm } from '../../oidc/issuer/issuer-keys.ts';
import type { IssuerKeyStatus, OutboundSecretStore, StoredConnectionCredentials, StoredIssuerKey } from '../outbound-store.ts';
import { OutboundSecretUnreadableError } from '../sql/errors.ts';

interface IssuerKeyRow {
  kid: string;
  alg: IssuerAlgorithm;
  status: IssuerKeyStatus;
  private_key_ciphertext: string;
  created_at: string;
}

interface CredentialsRow {
  access_key_id: string;
  secret_ciphertext: string;
  session_token_ciphertext: string | null;
}

export class SqliteOutboundSecrets implements OutboundSecretStore {
  constructor(private readonly db: Database, private readonly box: SecretBox, private readonly now: () => Date) {}

  async issuerKeys(): Promise<StoredIssuerKey[]> {
    const rows = this.db.prepare(`SELECT * FROM issuer_keys WHERE status != 'retired' ORDER BY created_at, kid`).all() as IssuerKeyRow[];
    return Promise.all(rows.map(async (row) => ({
      kid: row.kid,
      alg: row.alg,
      status: row.status,
      createdAt: new Date(row.created_at),
      privateKeyPem: await this.open(row.private_key_ciphertext, `issuer-key:${row.kid}`),
    })));
  }

  async listIssuerKeys(): Promise<Omit<StoredIssuerKey, 'privateKeyPem'>[]> {
    const rows = this.db.prepare(`SELECT kid, alg, status, created_at FROM issuer_keys ORDER BY created_at, kid`).all() as IssuerKeyRow[];
    return rows.map((row) => ({ kid: row.kid, alg: row.alg, status: row.status, createdAt: new Date(row.created_at) }));
  }

  async addIssuerKey(key: StoredIssuerKey): Promise<void> {
    const sealed = await this.box.seal(key.privateKeyPem, `issuer-key:${key.kid}`);
    this.db.prepare(`INSERT INTO issuer_keys (kid, alg, status, private_key_ciphertext, created_at) VALUES (?, ?, ?, ?, ?)`)
      .run(key.kid, key.alg, key.status, sealed, key.createdAt.toISOString());
  }

  async setIssuerKeyStatuses(changes: readonly { kid: string; status: IssuerKeyStatus }[]): Promise<void> {
    const update = this.db.prepare(`UPDATE issuer_keys SET status = ? WHERE kid = ?`);
    // Demote before promoting, so the one-active index holds at every step.
    const ordered = [...changes].sort((a, b) => Number(a.status === 'active') - Number(b.status === 'active'));
    this.db.transaction(() => {
      for (const change of ordered) {
        if (update.run(change.status, change.kid).changes !== 1) throw new TypeError(`no issuer key ${change.kid}`);
      }
    }).immediate();
  }

  async connectionCredentials(connection: string): Promise<StoredConnectionCredentials | null> {
    const row = this.db.prepare(`SELECT access_key_id, secret_ciphertext, session_token_ciphertext FROM connection_credentials WHERE connection = ?`)
      .get(connection) as CredentialsRow | undefined;
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
    this.db.prepare(`
      INSERT INTO connection_credentials (connection, access_key_id, secret_ciphertext, session_token_ciphertext, updated_at)
      VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (connection) DO UPDATE SET access_key_id = excluded.access_key_id, secret_ciphertext = excluded.secret_ciphertext,
        session_token_ciphertext = excluded.session_token_ciphertext, updated_at = excluded.updated_at
    `).run(connection, credentials.accessKeyId, secret, token, this.now().toISOString());
  }

  private async open(ciphertext: string, context: string): Promise<string> {
    try {
      return await this.box.open(ciphertext, context);
    } catch (error) {
      throw new OutboundSecretUnreadableError(context.startsWith('issuer-key:') ? `issuer key ${context.slice(11)}` : `connection ${context.split(':')[1]}`, error);
    }
  }
}
