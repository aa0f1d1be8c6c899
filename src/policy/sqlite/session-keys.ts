/**
 * Session keys in the SQLite policy database: one row per version, its HMAC
 * secret and signing key sealed with the master key and bound to the row
 * (`session-hmac:{version}:{kid}`, `session-key:{version}:{kid}`), so rows
 * cannot be swapped.
 */
import type { Database } from 'better-sqlite3';
import type { SecretBox } from '../../auth/secret-box.ts';
import type { SessionKeyStore, SessionKeySummary, StoredSessionKey } from '../../sts/stored-session-keys.ts';
import { OutboundSecretUnreadableError } from '../sql/errors.ts';

interface SessionKeyRow {
  version: number;
  kid: string;
  hmac_secret_ciphertext: string;
  private_key_ciphertext: string;
  created_at: string;
}

export const sessionHmacContext = (version: number, kid: string) => `session-hmac:${version}:${kid}`;
export const sessionKeyContext = (version: number, kid: string) => `session-key:${version}:${kid}`;

/** Opens one version's secrets, naming only the version when they do not open. */
export async function openSessionKey(box: SecretBox, row: { version: number; kid: string; hmac: string; key: string; createdAt: Date }): Promise<StoredSessionKey> {
  try {
    return {
      version: row.version,
      kid: row.kid,
      hmacSecret: await box.open(row.hmac, sessionHmacContext(row.version, row.kid)),
      privateKeyPem: await box.open(row.key, sessionKeyContext(row.version, row.kid)),
      createdAt: row.createdAt,
    };
  } catch (error) {
    throw new OutboundSecretUnreadableError(`session key version ${row.version}`, error);
  }
}

export class SqliteSessionKeys implements SessionKeyStore {
  constructor(private readonly db: Database, private readonly box: SecretBox) {}

  async sessionKeys(): Promise<StoredSessionKey[]> {
    const rows = this.db.prepare('SELECT * FROM session_keys ORDER BY created_at, version').all() as SessionKeyRow[];
    return Promise.all(rows.map((row) => openSessionKey(this.box, {
      version: row.version, kid: row.kid, hmac: row.hmac_secret_ciphertext, key: row.private_key_ciphertext, createdAt: new Date(row.created_at),
    })));
  }

  async listSessionKeys(): Promise<SessionKeySummary[]> {
    const rows = this.db.prepare('SELECT version, kid, created_at FROM session_keys ORDER BY created_at, version').all() as SessionKeyRow[];
    return rows.map((row) => ({ version: row.version, kid: row.kid, createdAt: new Date(row.created_at) }));
  }

  async addSessionKey(key: StoredSessionKey): Promise<void> {
    const hmac = await this.box.seal(key.hmacSecret, sessionHmacContext(key.version, key.kid));
    const sealed = await this.box.seal(key.privateKeyPem, sessionKeyContext(key.version, key.kid));
    this.db.prepare('INSERT INTO session_keys (version, kid, hmac_secret_ciphertext, private_key_ciphertext, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(key.version, key.kid, hmac, sealed, key.createdAt.toISOString());
  }

  async removeSessionKeys(versions: readonly number[]): Promise<void> {
    const remove = this.db.prepare('DELETE FROM session_keys WHERE version = ?');
    this.db.transaction(() => {
      for (const version of versions) remove.run(version);
    }).immediate();
  }
}
