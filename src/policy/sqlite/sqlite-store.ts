/**
 * The writable policy store on a SQLite file (better-sqlite3): accounts,
 * grants, buckets and access keys managed at run time, shared by the server
 * and `sluice keys` through the same file. WAL mode lets readers go on while
 * another process writes; secrets are sealed with the master key (AES-GCM,
 * bound to the key id) and never stored or logged in plaintext.
 */
import { chmodSync, existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { SecretBox } from '../../auth/secret-box.ts';
import type { BucketConfig } from '../../core/config.ts';
import type { PermissionStatement } from '../../core/identity.ts';
import type { ApiKeyRecord } from '../api-key-store.ts';
import type {
  AccessKeyRecord, AccessKeySummary, AccountGrant, BucketCreationSettings, BucketCreationStore, KeyStatus, NewAccessKey, WritablePolicyStore,
} from '../store.ts';
import type { CreateOutcome, CreatedBucket } from '../../core/bucket-registry.ts';
import { DuplicateAccessKeyError, DuplicateApiKeyError, SecretUnreadableError, UnknownAccountError } from '../sql/errors.ts';
import { apiKeyFromRow, identityProviderFromRow, type ApiKeyRow, type IdentityProviderRow } from '../sql/credential-rows.ts';
import { verifyMasterKey } from './master-key-check.ts';
import {
  bucketFromRow, bucketToRow, checkAccountName, checkBucket, checkStatements, creationFromJson, creationToJson, grantFromRow, isoOrNull,
  statementsToJson, summaryFromRow, type BucketRow, type GrantRow, type KeyRow,
} from '../sql/rows.ts';
import { checkKeyInput, createAccessKeyWith, type ImportedAccessKey } from '../sql/key-input.ts';
import { migrate } from './schema.ts';
import type { RevocationKind, SessionRevocation, SessionRevocationStore } from '../../sts/session-revocation.ts';
import type { RoleDefinitionStore, StoredRoleDefinition } from '../../sts/store-role-source.ts';
import { SqliteOutboundSecrets } from './outbound-secrets.ts';
import { type AccountIdentityProvider, DuplicateIdentityProviderError } from '../../oidc/account-providers.ts';
import { SqliteSessionKeys } from './session-keys.ts';

export interface SqlitePolicyStoreOptions {
  /** 32 bytes (`parseMasterKey`); the database remembers which key it was created with. */
  masterKey: Uint8Array;
  now?: () => Date;
  /**
   * Accounts defined outside this store (the config file). Keys and grants
   * may belong to them as well as to accounts created with `putAccount`.
   */
  accountExists?: (name: string) => boolean | Promise<boolean>;
  /** How long a write waits for another process's lock before failing; default 5 s. */
  busyTimeoutMs?: number;
}

export type { ImportedAccessKey } from '../sql/key-input.ts';

const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export class SqlitePolicyStore implements WritablePolicyStore, SessionRevocationStore, RoleDefinitionStore, BucketCreationStore {
  private readonly now: () => Date;
  private readonly externalAccount: (name: string) => boolean | Promise<boolean>;
  private readonly statements = new Map<string, Database.Statement>();

  /** Issuer keys and connections' keys, sealed like access keys' secrets. */
  readonly outbound: SqliteOutboundSecrets;
  /** Session HMAC secrets and signing keys by version, sealed. */
  readonly sessionKeys: SqliteSessionKeys;

  private constructor(private readonly db: Database.Database, private readonly box: SecretBox, options: SqlitePolicyStoreOptions) {
    this.now = options.now ?? (() => new Date());
    this.externalAccount = options.accountExists ?? (() => false);
    this.outbound = new SqliteOutboundSecrets(db, box, this.now);
    this.sessionKeys = new SqliteSessionKeys(db, box);
  }

  /** Opens (creating and migrating if needed) the database at `path`. */
  static async open(path: string, options: SqlitePolicyStoreOptions): Promise<SqlitePolicyStore> {
    const fresh = path !== ':memory:' && !existsSync(path);
    const db = new Database(path, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
    try {
      // Secrets are sealed, but nobody else needs to read the file; SQLite gives its -wal/-shm files the same mode.
      if (fresh) chmodSync(path, 0o600);
      db.pragma('journal_mode = WAL');
      // With WAL, NORMAL loses no committed data on a crash, only on power loss.
      db.pragma('synchronous = NORMAL');
      migrate(db, path);
      const box = new SecretBox(options.masterKey);
      await verifyMasterKey(db, box, path);
      return new SqlitePolicyStore(db, box, options);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Prepared statements, compiled once per connection. */
  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.db.prepare(text)));
    return statement;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  // ---- resolution ----

  async getBucket(name: string): Promise<BucketConfig | null> {
    // Path-style names are unique in a well-formed setup; if not, the unowned bucket ('' sorts first) wins.
    const row = this.sql('SELECT * FROM buckets WHERE name = ? ORDER BY account LIMIT 1').get(name) as BucketRow | undefined;
    return row ? bucketFromRow(row) : null;
  }

  async getProduct(account: string, product: string): Promise<BucketConfig | null> {
    if (account === '') return null;
    const row = this.sql('SELECT * FROM buckets WHERE account = ? AND name = ?').get(account, product) as BucketRow | undefined;
    return row ? bucketFromRow(row) : null;
  }

  async listBuckets(): Promise<BucketConfig[]> {
    return (this.sql('SELECT * FROM buckets ORDER BY rowid').all() as BucketRow[]).map(bucketFromRow);
  }

  async listProducts(account: string): Promise<BucketConfig[]> {
    if (account === '') return [];
    return (this.sql('SELECT * FROM buckets WHERE account = ? ORDER BY rowid').all(account) as BucketRow[]).map(bucketFromRow);
  }

  /** Replaces the bucket with the same (account, name). */
  async putBucket(bucket: BucketConfig): Promise<void> {
    checkBucket(bucket);
    this.sql(`
      INSERT INTO buckets (account, name, connection, prefix, public, read_only, region)
      VALUES (@account, @name, @connection, @prefix, @public, @read_only, @region)
      ON CONFLICT (account, name) DO UPDATE SET connection = excluded.connection, prefix = excluded.prefix,
        public = excluded.public, read_only = excluded.read_only, region = excluded.region
    `).run(bucketToRow(bucket));
  }

  /** With an account, removes that account's product; without, every bucket of that name. */
  async removeBucket(name: string, account?: string): Promise<boolean> {
    const result = account === undefined
      ? this.sql('DELETE FROM buckets WHERE name = ?').run(name)
      : this.sql('DELETE FROM buckets WHERE account = ? AND name = ?').run(account, name);
    return result.changes > 0;
  }

  // ---- buckets clients create ----

  async setBucketCreation(account: string, settings: BucketCreationSettings | null): Promise<void> {
    checkAccountName(account);
    const json = settings === null ? null : creationToJson(settings);
    this.sql(`
      INSERT INTO accounts (name, created_at, create_buckets) VALUES (?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET create_buckets = excluded.create_buckets
    `).run(account, this.now().toISOString(), json);
  }

  async getBucketCreation(account: string): Promise<BucketCreationSettings | null> {
    const row = this.sql('SELECT create_buckets FROM accounts WHERE name = ?').get(account) as { create_buckets: string | null } | undefined;
    return row?.create_buckets == null ? null : creationFromJson(row.create_buckets, `bucket creation of ${account}`);
  }

  async createClientBucket(bucket: BucketConfig & { account: string }, at: Date): Promise<CreateOutcome> {
    checkBucket(bucket);
    // IMMEDIATE takes the write lock before the name is looked at, so two processes cannot both claim it.
    return this.db.transaction((): CreateOutcome => {
      const holder = this.sql('SELECT account FROM buckets WHERE name = ? ORDER BY account LIMIT 1').get(bucket.name) as { account: string } | undefined;
      if (holder) return holder.account === bucket.account ? 'owned' : 'taken';
      this.sql(`
        INSERT INTO buckets (account, name, connection, prefix, public, read_only, region, created_at)
        VALUES (@account, @name, @connection, @prefix, @public, @read_only, @region, @created_at)
      `).run({ ...bucketToRow(bucket), created_at: at.toISOString() });
      this.sql(`
        INSERT INTO grants (account, bucket, actions, prefixes) VALUES (?, ?, '["read","write"]', NULL)
        ON CONFLICT (account, bucket) DO UPDATE SET actions = excluded.actions, prefixes = NULL
      `).run(bucket.account, bucket.name);
      return 'created';
    }).immediate();
  }

  async getClientBucket(name: string): Promise<CreatedBucket | null> {
    const row = this.sql('SELECT account, created_at FROM buckets WHERE name = ? AND created_at IS NOT NULL AND account != \'\' LIMIT 1')
      .get(name) as { account: string; created_at: string } | undefined;
    return row ? { name, account: row.account, createdAt: new Date(row.created_at) } : null;
  }

  async deleteClientBucket(name: string, account: string): Promise<boolean> {
    return this.db.transaction((): boolean => {
      const removed = this.sql('DELETE FROM buckets WHERE name = ? AND account = ? AND created_at IS NOT NULL').run(name, account).changes > 0;
      // Grants name buckets by name: none may pass to a later bucket of the same name.
      if (removed) this.sql('DELETE FROM grants WHERE bucket = ?').run(name);
      return removed;
    }).immediate();
  }

  // ---- accounts and grants ----

  async putAccount(account: string): Promise<void> {
    checkAccountName(account);
    this.sql('INSERT INTO accounts (name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING').run(account, this.now().toISOString());
  }

  async listAccounts(): Promise<string[]> {
    return (this.sql('SELECT name FROM accounts ORDER BY name').all() as { name: string }[]).map((r) => r.name);
  }

  async getGrants(account: string): Promise<readonly PermissionStatement[]> {
    const rows = this.sql('SELECT bucket, actions, prefixes FROM grants WHERE account = ? ORDER BY rowid').all(account) as GrantRow[];
    return rows.map((row) => grantFromRow(row, account));
  }

  /** Sets the account's grant on `grant.bucket`, replacing any grant it had there. */
  async putGrant(grant: AccountGrant): Promise<void> {
    const { account, ...statement } = grant;
    checkStatements([statement], `grant of ${account}`);
    await this.requireAccount(account);
    this.sql(`
      INSERT INTO grants (account, bucket, actions, prefixes) VALUES (?, ?, ?, ?)
      ON CONFLICT (account, bucket) DO UPDATE SET actions = excluded.actions, prefixes = excluded.prefixes
    `).run(account, statement.bucket, JSON.stringify(statement.actions), statement.prefixes === undefined ? null : JSON.stringify(statement.prefixes));
  }

  async removeGrant(account: string, bucket: string): Promise<boolean> {
    return this.sql('DELETE FROM grants WHERE account = ? AND bucket = ?').run(account, bucket).changes > 0;
  }

  // ---- access keys ----

  /** The key with its secret decrypted; throws `SecretUnreadableError` rather than answer for a key it cannot read. */
  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | null> {
    const row = this.sql('SELECT * FROM access_keys WHERE id = ?').get(accessKeyId) as KeyRow | undefined;
    if (!row) return null;
    const summary = summaryFromRow(row);
    let secretAccessKey: string;
    try {
      secretAccessKey = await this.box.open(row.secret_ciphertext, row.id);
    } catch (error) {
      throw new SecretUnreadableError(row.id, error);
    }
    return { ...summary, secretAccessKey };
  }

  createAccessKey(input: NewAccessKey): Promise<{ accessKeyId: string; secretAccessKey: string; record: AccessKeySummary }> {
    return createAccessKeyWith((key) => this.importAccessKey(key), input);
  }

  /** Stores a key whose id and secret are already chosen. */
  async importAccessKey(input: ImportedAccessKey): Promise<AccessKeySummary> {
    checkKeyInput(input);
    await this.requireAccount(input.account);
    const ceiling = input.ceiling === undefined ? null : statementsToJson(input.ceiling);
    const sealed = await this.box.seal(input.secretAccessKey, input.accessKeyId);
    const createdAt = (input.createdAt ?? this.now()).toISOString();
    const result = this.sql(`
      INSERT INTO access_keys (id, account, label, secret_ciphertext, status, created_at, expires_at, ceiling)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
    `).run(input.accessKeyId, input.account, input.label, sealed, input.status ?? 'active', createdAt, isoOrNull(input.expiresAt), ceiling);
    if (result.changes === 0) throw new DuplicateAccessKeyError(input.accessKeyId);
    return (await this.getAccessKeySummary(input.accessKeyId))!;
  }

  async listAccessKeys(filter: { account?: string } = {}): Promise<AccessKeySummary[]> {
    const rows = filter.account === undefined
      ? this.sql('SELECT * FROM access_keys ORDER BY created_at, id').all()
      : this.sql('SELECT * FROM access_keys WHERE account = ? ORDER BY created_at, id').all(filter.account);
    return (rows as KeyRow[]).map(summaryFromRow);
  }

  /** Keeps the first revocation time when revoked twice; true whenever the key exists. */
  async revokeAccessKey(accessKeyId: string): Promise<boolean> {
    const result = this.sql('UPDATE access_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?').run(this.now().toISOString(), accessKeyId);
    return result.changes > 0;
  }

  /** One indexed UPDATE; callers throttle. Never moves "last used" backwards. */
  async recordKeyUse(accessKeyId: string, at: Date): Promise<void> {
    const when = at.toISOString();
    this.sql('UPDATE access_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)').run(when, accessKeyId, when);
  }

  /** A key as management shows it, without decrypting its secret. */
  async getAccessKeySummary(accessKeyId: string): Promise<AccessKeySummary | null> {
    const row = this.sql('SELECT * FROM access_keys WHERE id = ?').get(accessKeyId) as KeyRow | undefined;
    return row ? summaryFromRow(row) : null;
  }

  // Roles: definitions as written; the role source validates them on read.

  async putRoleDefinition(account: string, name: string, definition: unknown): Promise<void> {
    this.sql(`
      INSERT INTO roles (account, name, definition, updated_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (account, name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
    `).run(account, name, JSON.stringify(definition), this.now().toISOString());
  }

  async getRoleDefinition(account: string, name: string): Promise<StoredRoleDefinition | null> {
    const row = this.sql('SELECT * FROM roles WHERE account = ? AND name = ?').get(account, name) as RoleRow | undefined;
    return row ? roleFromRow(row) : null;
  }

  async listRoleDefinitions(filter: { account?: string } = {}): Promise<StoredRoleDefinition[]> {
    const rows = filter.account === undefined
      ? this.sql('SELECT * FROM roles ORDER BY account, name').all()
      : this.sql('SELECT * FROM roles WHERE account = ? ORDER BY name').all(filter.account);
    return (rows as RoleRow[]).map(roleFromRow);
  }

  async deleteRoleDefinition(account: string, name: string): Promise<boolean> {
    return this.sql('DELETE FROM roles WHERE account = ? AND name = ?').run(account, name).changes > 0;
  }

  // Revoked sessions: expired entries are dropped as new ones are written.

  async addSessionRevocation(entry: SessionRevocation): Promise<void> {
    this.db.transaction(() => {
      this.sql('DELETE FROM session_revocations WHERE expires_at <= ?').run(entry.revokedAt.toISOString());
      this.sql('INSERT INTO session_revocations (kind, value, revoked_at, expires_at) VALUES (?, ?, ?, ?)')
        .run(entry.kind, entry.value, entry.revokedAt.toISOString(), entry.expiresAt.toISOString());
    })();
  }

  async listSessionRevocations(now: Date): Promise<SessionRevocation[]> {
    const rows = this.sql('SELECT * FROM session_revocations WHERE expires_at > ? ORDER BY rowid').all(now.toISOString()) as RevocationRow[];
    return rows.map((r) => ({ kind: r.kind, value: r.value, revokedAt: new Date(r.revoked_at), expiresAt: new Date(r.expires_at) }));
  }

  // API key records (the tokens are never stored).

  async addApiKey(record: Omit<ApiKeyRecord, 'revokedAt'>): Promise<void> {
    await this.requireAccount(record.account);
    const result = this.sql('INSERT INTO api_keys (jti, account, role, label, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (jti) DO NOTHING')
      .run(record.jti, record.account, record.role ?? null, record.label, record.createdAt.toISOString(), isoOrNull(record.expiresAt));
    if (result.changes === 0) throw new DuplicateApiKeyError(record.jti);
  }

  async getApiKey(jti: string): Promise<ApiKeyRecord | null> {
    const row = this.sql('SELECT * FROM api_keys WHERE jti = ?').get(jti) as ApiKeyRow | undefined;
    return row ? apiKeyFromRow(row) : null;
  }

  async listApiKeys(filter: { account?: string } = {}): Promise<ApiKeyRecord[]> {
    const rows = filter.account === undefined
      ? this.sql('SELECT * FROM api_keys ORDER BY created_at, jti').all()
      : this.sql('SELECT * FROM api_keys WHERE account = ? ORDER BY created_at, jti').all(filter.account);
    return (rows as ApiKeyRow[]).map(apiKeyFromRow);
  }

  async revokeApiKey(jti: string): Promise<boolean> {
    return this.sql('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE jti = ?').run(this.now().toISOString(), jti).changes > 0;
  }

  // Identity providers accounts registered (validated and discovered before they get here).

  async addIdentityProvider(provider: AccountIdentityProvider): Promise<void> {
    await this.requireAccount(provider.account);
    // Without a conflict target, DO NOTHING covers both the id and the issuer being taken in the account.
    const result = this.sql('INSERT INTO identity_providers (account, id, issuer, audiences, claims, local, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(provider.account, provider.id, provider.issuer, JSON.stringify(provider.audiences), provider.claims, provider.local ? 1 : 0, provider.createdAt.toISOString());
    if (result.changes === 0) throw new DuplicateIdentityProviderError(provider.account, provider.id);
  }

  async listIdentityProviders(filter: { account?: string } = {}): Promise<AccountIdentityProvider[]> {
    const rows = filter.account === undefined
      ? this.sql('SELECT * FROM identity_providers ORDER BY account, id').all()
      : this.sql('SELECT * FROM identity_providers WHERE account = ? ORDER BY id').all(filter.account);
    return (rows as IdentityProviderRow[]).map(identityProviderFromRow);
  }

  async deleteIdentityProvider(account: string, id: string): Promise<boolean> {
    return this.sql('DELETE FROM identity_providers WHERE account = ? AND id = ?').run(account, id).changes > 0;
  }

  private async requireAccount(account: string): Promise<void> {
    if (this.sql('SELECT 1 FROM accounts WHERE name = ?').get(account) !== undefined) return;
    if (await this.externalAccount(account)) return;
    throw new UnknownAccountError(account);
  }
}

interface RoleRow { account: string; name: string; definition: string; updated_at: string }
interface RevocationRow { kind: RevocationKind; value: string; revoked_at: string; expires_at: string }

function roleFromRow(row: RoleRow): StoredRoleDefinition {
  return { account: row.account, name: row.name, definition: JSON.parse(row.definition) as unknown, updatedAt: new Date(row.updated_at) };
}
