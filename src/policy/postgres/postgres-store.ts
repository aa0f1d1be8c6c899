/**
 * The writable policy store on PostgreSQL (`pg`): accounts, grants, buckets,
 * access keys, roles, revoked sessions, API key records, account-registered
 * identity providers and outbound secrets, shared by a fleet of Sluice
 * processes and the management commands.
 * A pool with connect, idle and statement timeouts serves lookups; a
 * dedicated connection LISTENs for the changes the schema's triggers
 * announce, so a revocation made anywhere reaches every instance's cache at
 * once. Secrets are sealed with the master key (AES-GCM, bound to the key
 * id), as in the SQLite store. The schema is applied by `sluice db migrate`;
 * opening refuses a database that is not at this version.
 */
import pg from 'pg';
import { SecretBox } from '../../auth/secret-box.ts';
import type { BucketConfig } from '../../core/config.ts';
import type { PermissionStatement } from '../../core/identity.ts';
import type { PolicyChangeFeed, PolicyChangeListener } from '../policy-change.ts';
import { DuplicateAccessKeyError, DuplicateApiKeyError, MasterKeyMismatchError, SecretUnreadableError, UnknownAccountError } from '../sql/errors.ts';
import { apiKeyFromRow, identityProviderFromRow, type ApiKeyRow, type IdentityProviderRow } from '../sql/credential-rows.ts';
import {
  bucketFromRow, checkAccountName, checkBucket, checkStatements, creationFromJson, creationToJson, grantFromRow, statementsToJson, summaryFromRow,
  type BucketRow, type GrantRow, type KeyRow,
} from '../sql/rows.ts';
import type { ImportedAccessKey } from '../sqlite/sqlite-store.ts';
import { checkKeyInput, createAccessKeyWith } from '../sql/key-input.ts';
import type {
  AccessKeyRecord, AccessKeySummary, AccountGrant, BucketCreationSettings, BucketCreationStore, NewAccessKey, WritablePolicyStore,
} from '../store.ts';
import type { CreateOutcome, CreatedBucket } from '../../core/bucket-registry.ts';
import type { RevocationKind, SessionRevocation } from '../../sts/session-revocation.ts';
import type { ApiKeyRecord } from '../api-key-store.ts';
import { type AccountIdentityProvider, DuplicateIdentityProviderError } from '../../oidc/account-providers.ts';
import type { StoredRoleDefinition } from '../../sts/store-role-source.ts';
import { PostgresChangeListener } from './change-listener.ts';
import { PostgresOutboundSecrets } from './outbound-secrets.ts';
import { PostgresSessionKeys } from './session-keys.ts';
import { checkSchema } from './schema.ts';

export interface PostgresPolicyStoreOptions {
  /** 32 bytes (`parseMasterKey`); the database remembers which key it was created with. */
  masterKey: Uint8Array;
  now?: () => Date;
  /** Accounts defined outside this store (the config file). */
  accountExists?: (name: string) => boolean | Promise<boolean>;
  /** Pool size; default 10. */
  maxConnections?: number;
  /** How long to wait for a connection (new or from the pool); default 5 s. */
  connectionTimeoutMs?: number;
  /** How long a statement may run before the server cancels it; default 5 s. */
  statementTimeoutMs?: number;
  /** Idle pooled connections are closed after this; default 30 s. */
  idleTimeoutMs?: number;
  /** LISTEN for changes (servers); `sluice keys` does not need to. Default true. */
  listen?: boolean;
  /** Connection trouble of the pool and the change feed (never with the URL). */
  warn?: (message: string, error: unknown) => void;
}

const CHECK_NAME = 'master_key_check';
const CHECK_PLAINTEXT = 'sluice-master-key-check';
/** Shown instead of the connection string, which may hold a password. */
const WHERE = 'the PostgreSQL policy database';

/** Rows as `pg` returns them: times as Dates, flags as booleans. */
type PgKeyRow = Omit<KeyRow, 'created_at' | 'expires_at' | 'revoked_at' | 'last_used_at'> &
  Record<'created_at' | 'expires_at' | 'revoked_at' | 'last_used_at', Date | null>;
type PgBucketRow = Omit<BucketRow, 'public' | 'read_only'> & { public: boolean; read_only: boolean };

const iso = (date: Date | null) => (date === null ? null : date.toISOString());
const keyRow = (row: PgKeyRow): KeyRow => ({
  ...row,
  created_at: iso(row.created_at)!,
  expires_at: iso(row.expires_at),
  revoked_at: iso(row.revoked_at),
  last_used_at: iso(row.last_used_at),
});
const bucket = (row: PgBucketRow): BucketConfig => bucketFromRow({ ...row, public: row.public ? 1 : 0, read_only: row.read_only ? 1 : 0 });
type PgApiKeyRow = Omit<ApiKeyRow, 'created_at' | 'expires_at' | 'revoked_at'> & { created_at: Date } & Record<'expires_at' | 'revoked_at', Date | null>;
type PgIdentityProviderRow = Omit<IdentityProviderRow, 'local' | 'created_at'> & { local: boolean; created_at: Date };
const apiKeyRow = (row: PgApiKeyRow): ApiKeyRow => ({ ...row, created_at: iso(row.created_at)!, expires_at: iso(row.expires_at), revoked_at: iso(row.revoked_at) });
const identityProviderRow = (row: PgIdentityProviderRow): IdentityProviderRow => ({ ...row, local: row.local ? 1 : 0, created_at: iso(row.created_at)! });

export class PostgresPolicyStore implements WritablePolicyStore, PolicyChangeFeed, BucketCreationStore {
  private readonly now: () => Date;
  private readonly externalAccount: (name: string) => boolean | Promise<boolean>;

  /** Issuer keys and connections' keys, sealed like access keys' secrets. */
  readonly outbound: PostgresOutboundSecrets;
  /** Session HMAC secrets and signing keys by version, sealed. */
  readonly sessionKeys: PostgresSessionKeys;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly box: SecretBox,
    private readonly changes: PostgresChangeListener | undefined,
    options: PostgresPolicyStoreOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.externalAccount = options.accountExists ?? (() => false);
    this.outbound = new PostgresOutboundSecrets(pool, box, this.now);
    this.sessionKeys = new PostgresSessionKeys(pool, box);
  }

  /** Connects, checks the schema version and the master key, and starts listening for changes. */
  static async open(connectionString: string, options: PostgresPolicyStoreOptions): Promise<PostgresPolicyStore> {
    const connectionTimeoutMs = options.connectionTimeoutMs ?? 5_000;
    const statementTimeoutMs = options.statementTimeoutMs ?? 5_000;
    const warn = options.warn ?? (() => undefined);
    const pool = new pg.Pool({
      connectionString,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: connectionTimeoutMs,
      idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
      statement_timeout: statementTimeoutMs,
      // The server cancels a slow statement; this also bounds a dead connection's wait.
      query_timeout: statementTimeoutMs + 1_000,
      keepAlive: true,
      application_name: 'sluice',
    });
    // An idle pooled connection that breaks is removed by the pool; without a handler it would crash the process.
    pool.on('error', (error) => warn('a pooled PostgreSQL connection failed', error));
    let changes: PostgresChangeListener | undefined;
    try {
      await checkSchema(pool, WHERE);
      const box = new SecretBox(options.masterKey);
      await verifyMasterKey(pool, box);
      if (options.listen !== false) {
        changes = new PostgresChangeListener({ connectionString, connectionTimeoutMs, warn });
        await changes.ready();
      }
      return new PostgresPolicyStore(pool, box, changes, options);
    } catch (error) {
      await changes?.close();
      await pool.end().catch(() => undefined);
      throw error;
    }
  }

  onChange(listener: PolicyChangeListener): () => void {
    return this.changes?.onChange(listener) ?? (() => undefined);
  }

  // Roles: definitions as written; the role source validates them on read.

  async putRoleDefinition(account: string, name: string, definition: unknown): Promise<void> {
    await this.pool.query(
      `INSERT INTO roles (account, name, definition, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (account, name) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`,
      [account, name, JSON.stringify(definition), this.now()],
    );
  }

  async getRoleDefinition(account: string, name: string): Promise<StoredRoleDefinition | null> {
    const [row] = await this.rows<RoleRow>('SELECT * FROM roles WHERE account = $1 AND name = $2', [account, name]);
    return row ? roleFromRow(row) : null;
  }

  async listRoleDefinitions(filter: { account?: string } = {}): Promise<StoredRoleDefinition[]> {
    const rows = filter.account === undefined
      ? await this.rows<RoleRow>('SELECT * FROM roles ORDER BY account COLLATE "C", name COLLATE "C"')
      : await this.rows<RoleRow>('SELECT * FROM roles WHERE account = $1 ORDER BY name COLLATE "C"', [filter.account]);
    return rows.map(roleFromRow);
  }

  async deleteRoleDefinition(account: string, name: string): Promise<boolean> {
    return (await this.count('DELETE FROM roles WHERE account = $1 AND name = $2', [account, name])) > 0;
  }

  // Revoked sessions: expired entries are dropped as new ones are written; the trigger announces the change.

  async addSessionRevocation(entry: SessionRevocation): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('DELETE FROM session_revocations WHERE expires_at <= $1', [entry.revokedAt]);
      await client.query('INSERT INTO session_revocations (kind, value, revoked_at, expires_at) VALUES ($1, $2, $3, $4)',
        [entry.kind, entry.value, entry.revokedAt, entry.expiresAt]);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async listSessionRevocations(now: Date): Promise<SessionRevocation[]> {
    const rows = await this.rows<RevocationRow>('SELECT kind, value, revoked_at, expires_at FROM session_revocations WHERE expires_at > $1 ORDER BY seq', [now]);
    return rows.map((r) => ({ kind: r.kind, value: r.value, revokedAt: r.revoked_at, expiresAt: r.expires_at }));
  }

  // API key records (the tokens are never stored); the trigger announces each change.

  async addApiKey(record: Omit<ApiKeyRecord, 'revokedAt'>): Promise<void> {
    await this.requireAccount(record.account);
    const stored = await this.count(
      'INSERT INTO api_keys (jti, account, role, label, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (jti) DO NOTHING',
      [record.jti, record.account, record.role ?? null, record.label, record.createdAt, record.expiresAt ?? null],
    );
    if (stored === 0) throw new DuplicateApiKeyError(record.jti);
  }

  async getApiKey(jti: string): Promise<ApiKeyRecord | null> {
    const [row] = await this.rows<PgApiKeyRow>('SELECT * FROM api_keys WHERE jti = $1', [jti]);
    return row ? apiKeyFromRow(apiKeyRow(row)) : null;
  }

  async listApiKeys(filter: { account?: string } = {}): Promise<ApiKeyRecord[]> {
    const rows = filter.account === undefined
      ? await this.rows<PgApiKeyRow>('SELECT * FROM api_keys ORDER BY created_at, jti COLLATE "C"')
      : await this.rows<PgApiKeyRow>('SELECT * FROM api_keys WHERE account = $1 ORDER BY created_at, jti COLLATE "C"', [filter.account]);
    return rows.map((row) => apiKeyFromRow(apiKeyRow(row)));
  }

  /** Keeps the first revocation time when revoked twice; true whenever the key exists. */
  async revokeApiKey(jti: string): Promise<boolean> {
    return (await this.count('UPDATE api_keys SET revoked_at = coalesce(revoked_at, $1) WHERE jti = $2', [this.now(), jti])) > 0;
  }

  // Identity providers accounts registered (validated and discovered before they get here); announced per account.

  async addIdentityProvider(provider: AccountIdentityProvider): Promise<void> {
    await this.requireAccount(provider.account);
    // Without a conflict target, DO NOTHING covers both the id and the issuer being taken in the account.
    const stored = await this.count(
      `INSERT INTO identity_providers (account, id, issuer, audiences, claims, local, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT DO NOTHING`,
      [provider.account, provider.id, provider.issuer, JSON.stringify(provider.audiences), provider.claims, provider.local, provider.createdAt],
    );
    if (stored === 0) throw new DuplicateIdentityProviderError(provider.account, provider.id);
  }

  async listIdentityProviders(filter: { account?: string } = {}): Promise<AccountIdentityProvider[]> {
    const rows = filter.account === undefined
      ? await this.rows<PgIdentityProviderRow>('SELECT * FROM identity_providers ORDER BY account COLLATE "C", id COLLATE "C"')
      : await this.rows<PgIdentityProviderRow>('SELECT * FROM identity_providers WHERE account = $1 ORDER BY id COLLATE "C"', [filter.account]);
    return rows.map((row) => identityProviderFromRow(identityProviderRow(row)));
  }

  async deleteIdentityProvider(account: string, id: string): Promise<boolean> {
    return (await this.count('DELETE FROM identity_providers WHERE account = $1 AND id = $2', [account, id])) > 0;
  }

  async close(): Promise<void> {
    await this.changes?.close();
    await this.pool.end().catch(() => undefined);
  }

  private async rows<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
    return (await this.pool.query<R>(text, values)).rows;
  }

  private async count(text: string, values: unknown[]): Promise<number> {
    return (await this.pool.query(text, values)).rowCount ?? 0;
  }

  /** `work` in one transaction on one pooled connection; rolled back if it throws. */
  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  // ---- buckets clients create ----

  async setBucketCreation(account: string, settings: BucketCreationSettings | null): Promise<void> {
    checkAccountName(account);
    await this.pool.query(
      `INSERT INTO accounts (name, created_at, create_buckets) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET create_buckets = excluded.create_buckets`,
      [account, this.now(), settings === null ? null : creationToJson(settings)],
    );
  }

  async getBucketCreation(account: string): Promise<BucketCreationSettings | null> {
    const [row] = await this.rows<{ create_buckets: string | null }>('SELECT create_buckets FROM accounts WHERE name = $1', [account]);
    return row?.create_buckets == null ? null : creationFromJson(row.create_buckets, `bucket creation of ${account}`);
  }

  async createClientBucket(value: BucketConfig & { account: string }, at: Date): Promise<CreateOutcome> {
    checkBucket(value);
    return this.transaction(async (client) => {
      // One claim per name at a time, fleet-wide: (account, name) is the key, so the name alone needs a lock.
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`sluice:bucket-name:${value.name}`]);
      const holder = (await client.query<{ account: string }>('SELECT account FROM buckets WHERE name = $1 ORDER BY account LIMIT 1', [value.name])).rows[0];
      if (holder) return holder.account === value.account ? 'owned' : 'taken';
      await client.query(
        `INSERT INTO buckets (account, name, connection, prefix, public, read_only, region, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [value.account, value.name, value.connection, value.prefix, value.public, value.readOnly, value.region ?? null, at],
      );
      await client.query(
        `INSERT INTO grants (account, bucket, actions, prefixes) VALUES ($1, $2, '["read","write"]', NULL)
         ON CONFLICT (account, bucket) DO UPDATE SET actions = excluded.actions, prefixes = NULL`,
        [value.account, value.name],
      );
      return 'created' as const;
    });
  }

  async getClientBucket(name: string): Promise<CreatedBucket | null> {
    const [row] = await this.rows<{ account: string; created_at: Date }>(
      `SELECT account, created_at FROM buckets WHERE name = $1 AND created_at IS NOT NULL AND account <> '' LIMIT 1`, [name]);
    return row ? { name, account: row.account, createdAt: row.created_at } : null;
  }

  async deleteClientBucket(name: string, account: string): Promise<boolean> {
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`sluice:bucket-name:${name}`]);
      const removed = ((await client.query('DELETE FROM buckets WHERE name = $1 AND account = $2 AND created_at IS NOT NULL', [name, account])).rowCount ?? 0) > 0;
      // Grants name buckets by name: none may pass to a later bucket of the same name.
      if (removed) await client.query('DELETE FROM grants WHERE bucket = $1', [name]);
      return removed;
    });
  }

  // ---- resolution ----

  async getBucket(name: string): Promise<BucketConfig | null> {
    // Path-style names are unique in a well-formed setup; if not, the unowned bucket ('' sorts first) wins.
    const [row] = await this.rows<PgBucketRow>('SELECT * FROM buckets WHERE name = $1 ORDER BY account COLLATE "C" LIMIT 1', [name]);
    return row ? bucket(row) : null;
  }

  async getProduct(account: string, product: string): Promise<BucketConfig | null> {
    if (account === '') return null;
    const [row] = await this.rows<PgBucketRow>('SELECT * FROM buckets WHERE account = $1 AND name = $2', [account, product]);
    return row ? bucket(row) : null;
  }

  async listBuckets(): Promise<BucketConfig[]> {
    return (await this.rows<PgBucketRow>('SELECT * FROM buckets ORDER BY seq')).map(bucket);
  }

  async listProducts(account: string): Promise<BucketConfig[]> {
    if (account === '') return [];
    return (await this.rows<PgBucketRow>('SELECT * FROM buckets WHERE account = $1 ORDER BY seq', [account])).map(bucket);
  }

  async putBucket(value: BucketConfig): Promise<void> {
    checkBucket(value);
    await this.pool.query(
      `INSERT INTO buckets (account, name, connection, prefix, public, read_only, region) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (account, name) DO UPDATE SET connection = excluded.connection, prefix = excluded.prefix,
         public = excluded.public, read_only = excluded.read_only, region = excluded.region`,
      [value.account ?? '', value.name, value.connection, value.prefix, value.public, value.readOnly, value.region ?? null],
    );
  }

  async removeBucket(name: string, account?: string): Promise<boolean> {
    const removed = account === undefined
      ? await this.count('DELETE FROM buckets WHERE name = $1', [name])
      : await this.count('DELETE FROM buckets WHERE account = $1 AND name = $2', [account, name]);
    return removed > 0;
  }

  // ---- accounts and grants ----

  async putAccount(account: string): Promise<void> {
    checkAccountName(account);
    await this.pool.query('INSERT INTO accounts (name, created_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [account, this.now()]);
  }

  async listAccounts(): Promise<string[]> {
    return (await this.rows<{ name: string }>('SELECT name FROM accounts ORDER BY name COLLATE "C"')).map((r) => r.name);
  }

  async getGrants(account: string): Promise<readonly PermissionStatement[]> {
    const rows = await this.rows<GrantRow>('SELECT bucket, actions, prefixes FROM grants WHERE account = $1 ORDER BY seq', [account]);
    return rows.map((row) => grantFromRow(row, account));
  }

  async putGrant(grant: AccountGrant): Promise<void> {
    const { account, ...statement } = grant;
    checkStatements([statement], `grant of ${account}`);
    await this.requireAccount(account);
    await this.pool.query(
      `INSERT INTO grants (account, bucket, actions, prefixes) VALUES ($1, $2, $3, $4)
       ON CONFLICT (account, bucket) DO UPDATE SET actions = excluded.actions, prefixes = excluded.prefixes`,
      [account, statement.bucket, JSON.stringify(statement.actions), statement.prefixes === undefined ? null : JSON.stringify(statement.prefixes)],
    );
  }

  async removeGrant(account: string, bucketName: string): Promise<boolean> {
    return (await this.count('DELETE FROM grants WHERE account = $1 AND bucket = $2', [account, bucketName])) > 0;
  }

  // ---- access keys ----

  /** The key with its secret decrypted; throws `SecretUnreadableError` rather than answer for a key it cannot read. */
  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | null> {
    const [row] = await this.rows<PgKeyRow>('SELECT * FROM access_keys WHERE id = $1', [accessKeyId]);
    if (!row) return null;
    const summary = summaryFromRow(keyRow(row));
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
    const [row] = await this.rows<PgKeyRow>(
      `INSERT INTO access_keys (id, account, label, secret_ciphertext, status, created_at, expires_at, ceiling)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING RETURNING *`,
      [input.accessKeyId, input.account, input.label, sealed, input.status ?? 'active', input.createdAt ?? this.now(), input.expiresAt ?? null, ceiling],
    );
    if (!row) throw new DuplicateAccessKeyError(input.accessKeyId);
    return summaryFromRow(keyRow(row));
  }

  async listAccessKeys(filter: { account?: string } = {}): Promise<AccessKeySummary[]> {
    const rows = filter.account === undefined
      ? await this.rows<PgKeyRow>('SELECT * FROM access_keys ORDER BY created_at, id COLLATE "C"')
      : await this.rows<PgKeyRow>('SELECT * FROM access_keys WHERE account = $1 ORDER BY created_at, id COLLATE "C"', [filter.account]);
    return rows.map((row) => summaryFromRow(keyRow(row)));
  }

  /** Keeps the first revocation time when revoked twice; true whenever the key exists. */
  async revokeAccessKey(accessKeyId: string): Promise<boolean> {
    return (await this.count('UPDATE access_keys SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2', [this.now(), accessKeyId])) > 0;
  }

  /** One indexed UPDATE; callers throttle. Never moves "last used" backwards. */
  async recordKeyUse(accessKeyId: string, at: Date): Promise<void> {
    await this.pool.query('UPDATE access_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)', [at, accessKeyId]);
  }

  /** A key as management shows it, without decrypting its secret. */
  async getAccessKeySummary(accessKeyId: string): Promise<AccessKeySummary | null> {
    const [row] = await this.rows<PgKeyRow>('SELECT * FROM access_keys WHERE id = $1', [accessKeyId]);
    return row ? summaryFromRow(keyRow(row)) : null;
  }

  private async requireAccount(account: string): Promise<void> {
    if ((await this.rows('SELECT 1 FROM accounts WHERE name = $1', [account])).length > 0) return;
    if (await this.externalAccount(account)) return;
    throw new UnknownAccountError(account);
  }
}

interface RoleRow { account: string; name: string; definition: string; updated_at: Date }
interface RevocationRow { kind: RevocationKind; value: string; revoked_at: Date; expires_at: Date }

function roleFromRow(row: RoleRow): StoredRoleDefinition {
  return { account: row.account, name: row.name, definition: JSON.parse(row.definition) as unknown, updatedAt: row.updated_at };
}

/** The database remembers the master key it was created with: a known value sealed under it. */
async function verifyMasterKey(pool: pg.Pool, box: SecretBox): Promise<void> {
  const read = async () => (await pool.query<{ value: string }>('SELECT value FROM sluice_meta WHERE name = $1', [CHECK_NAME])).rows[0]?.value;
  let sealed = await read();
  if (sealed === undefined) {
    // Two processes may create the check at once: the first stored wins, and both verify it.
    await pool.query('INSERT INTO sluice_meta (name, value) VALUES ($1, $2) ON CONFLICT DO NOTHING', [CHECK_NAME, await box.seal(CHECK_PLAINTEXT, CHECK_NAME)]);
    sealed = (await read())!;
  }
  let opened: string | undefined;
  try {
    opened = await box.open(sealed, CHECK_NAME);
  } catch {
    opened = undefined;
  }
  if (opened !== CHECK_PLAINTEXT) throw new MasterKeyMismatchError(WHERE);
}
