/**
 * Session keys in the PostgreSQL policy database, sealed and bound to their
 * row exactly as in the SQLite store; the schema's trigger announces every
 * change, so servers read a new version at once.
 */
import type pg from 'pg';
import type { SecretBox } from '../../auth/secret-box.ts';
import type { SessionKeyStore, SessionKeySummary, StoredSessionKey } from '../../sts/stored-session-keys.ts';
import { openSessionKey, sessionHmacContext, sessionKeyContext } from '../sqlite/session-keys.ts';

interface SessionKeyRow {
  version: number;
  kid: string;
  hmac_secret_ciphertext: string;
  private_key_ciphertext: string;
  created_at: Date;
}

export class PostgresSessionKeys implements SessionKeyStore {
  constructor(private readonly pool: pg.Pool, private readonly box: SecretBox) {}

  async sessionKeys(): Promise<StoredSessionKey[]> {
    const { rows } = await this.pool.query<SessionKeyRow>('SELECT * FROM session_keys ORDER BY created_at, version');
    return Promise.all(rows.map((row) => openSessionKey(this.box, {
      version: row.version, kid: row.kid, hmac: row.hmac_secret_ciphertext, key: row.private_key_ciphertext, createdAt: row.created_at,
    })));
  }

  async listSessionKeys(): Promise<SessionKeySummary[]> {
    const { rows } = await this.pool.query<SessionKeyRow>('SELECT version, kid, created_at FROM session_keys ORDER BY created_at, version');
    return rows.map((row) => ({ version: row.version, kid: row.kid, createdAt: row.created_at }));
  }

  async addSessionKey(key: StoredSessionKey): Promise<void> {
    const hmac = await this.box.seal(key.hmacSecret, sessionHmacContext(key.version, key.kid));
    const sealed = await this.box.seal(key.privateKeyPem, sessionKeyContext(key.version, key.kid));
    await this.pool.query('INSERT INTO session_keys (version, kid, hmac_secret_ciphertext, private_key_ciphertext, created_at) VALUES ($1, $2, $3, $4, $5)',
      [key.version, key.kid, hmac, sealed, key.createdAt]);
  }

  async removeSessionKeys(versions: readonly number[]): Promise<void> {
    await this.pool.query('DELETE FROM session_keys WHERE version = ANY($1::int[])', [[...versions]]);
  }
}
