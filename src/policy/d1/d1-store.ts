/**
 * The policy store over Cloudflare D1: the SQLite store's schema and rows
 * through the D1 binding, so a Worker resolves buckets, grants, access keys
 * and revoked sessions from a database instead of its bundled
 * configuration. Runtime-agnostic (no `cloudflare:*` or `node:*` imports);
 * secrets are sealed with the master key exactly as in the SQLite store, so
 * a database can move between the two.
 *
 * D1 refuses `PRAGMA user_version`, so the migration step reached is kept in
 * `d1_schema`; each step is one `batch` (one transaction). Management is
 * limited to what importing a configuration needs; `sluice keys` and the
 * other commands work on SQLite and PostgreSQL.
 */
import { SecretBox } from '../../auth/secret-box.ts';
import type { BucketConfig } from '../../core/config.ts';
import type { PermissionStatement } from '../../core/identity.ts';
import type { RevocationKind, SessionRevocation } from '../../sts/session-revocation.ts';
import { DuplicateAccessKeyError, MasterKeyMismatchError, SchemaVersionError, SecretUnreadableError, UnknownAccountError } from '../sql/errors.ts';
import { checkKeyInput, type ImportedAccessKey } from '../sql/key-input.ts';
import {
  bucketFromRow, bucketToRow, checkAccountName, checkBucket, checkStatements, grantFromRow, isoOrNull,
  statementsToJson, summaryFromRow, type BucketRow, type GrantRow, type KeyRow,
} from '../sql/rows.ts';
import { SQLITE_MIGRATIONS } from '../sql/sqlite-migrations.ts';
import type { AccessKeyRecord, AccessKeySummary, AccountGrant, PolicyStore } from '../store.ts';
import type { D1Database } from './d1-types.ts';

export interface D1PolicyStoreOptions {
  masterKey: Uint8Array;
  now?: () => Date;
  accountExists?: (name: string) => boolean | Promise<boolean>;
}

const WHERE = 'the D1 policy database';
const CHECK_NAME = 'master_key_check';
const CHECK_PLAINTEXT = 'sluice-master-key-check';

export class D1PolicyStore implements PolicyStore {
  private readonly now: () => Date;
  private readonly externalAccount: (name: string) => boolean | Promise<boolean>;

  private constructor(private readonly db: D1Database, private readonly box: SecretBox, options: D1PolicyStoreOptions) {
    this.now = options.now ?? (() => new Date());
    this.externalAccount = options.accountExists ?? (() => false);
  }

  /** Migrates the database if needed, checks the master key, and opens the store. */
  static async open(db: D1Database, options: D1PolicyStoreOptions): Promise<D1PolicyStore> {
    await migrateD1(db);
    const box = new SecretBox(options.masterKey);
    await verifyMasterKey(db, box);
    return new D1PolicyStore(db, box, options);
  }

  private async all<R>(sql: string, ...values: unknown[]): Promise<R[]> {
    return (await this.db.prepare(sql).bind(...values).all<R>()).results;
  }

  private first<R>(sql: string, ...values: unknown[]): Promise<R | null> {
    return this.db.prepare(sql).bind(...values).first<R>();
  }

  // ---- resolution ----

  async getBucket(name: string): Promise<BucketConfig | null> {
    const row = await this.first<BucketRow>('SELECT * FROM buckets WHERE name = ? ORDER BY account LIMIT 1', name);
    return row ? bucketFromRow(row) : null;
  }

  async getProduct(account: string, product: string): Promise<BucketConfig | null> {
    if (account === '') return null;
    const row = await this.first<BucketRow>('SELECT * FROM buckets WHERE account = ? AND name = ?', account, product);
    return row ? bucketFromRow(row) : null;
  }

  async listBuckets(): Promise<BucketConfig[]> {
    return (await this.all<BucketRow>('SELECT * FROM buckets ORDER BY rowid')).map(bucketFromRow);
  }

  async listProducts(account: string): Promise<BucketConfig[]> {
    if (account === '') return [];
    return (await this.all<BucketRow>('SELECT * FROM buckets WHERE account = ? ORDER BY rowid', account)).map(bucketFromRow);
  }

  async getGrants(account: string): Promise<readonly PermissionStatement[]> {
    const rows = await this.all<GrantRow>('SELECT bucket, actions, prefixes FROM grants WHERE account = ? ORDER BY rowid', account);
    return rows.map((row) => grantFromRow(row, account));
  }

  /** The key with its secret decrypted; throws `SecretUnreadableError` rather than answer for a key it cannot read. */
  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | null> {
    const row = await this.first<KeyRow>('SELECT * FROM access_keys WHERE id = ?', accessKeyId);
    if (!row) return null;
    const summary = summaryFromRow(row);
    try {
      return { ...summary, secretAccessKey: await this.box.open(row.secret_ciphertext, row.id) };
    } catch (error) {
      throw new SecretUnreadableError(row.id, error);
    }
  }

  async listSessionRevocations(now: Date): Promise<SessionRevocation[]> {
    const rows = await this.all<{ kind: RevocationKind; value: string; revoked_at: string; expires_at: string }>(
      'SELECT * FROM session_revocations WHERE expires_at > ? ORDER BY rowid', now.toISOString());
    return rows.map((r) => ({ kind: r.kind, value: r.value, revokedAt: new Date(r.revoked_at), expiresAt: new Date(r.expires_at) }));
  }

  // ---- what importing a configuration needs ----

  async putAccount(account: string): Promise<void> {
    checkAccountName(account);
    await this.db.prepare('INSERT INTO accounts (name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING').bind(account, this.now().toISOString()).run();
  }

  async putGrant(grant: AccountGrant): Promise<void> {
    const { account, ...statement } = grant;
    checkStatements([statement], `grant of ${account}`);
    await this.requireAccount(account);
    await this.db.prepare(`INSERT INTO grants (account, bucket, actions, prefixes) VALUES (?, ?, ?, ?)
      ON CONFLICT (account, bucket) DO UPDATE SET actions = excluded.actions, prefixes = excluded.prefixes`)
      .bind(account, statement.bucket, JSON.stringify(statement.actions), statement.prefixes === undefined ? null : JSON.stringify(statement.prefixes)).run();
  }

  async putBucket(bucket: BucketConfig): Promise<void> {
    checkBucket(bucket);
    const row = bucketToRow(bucket);
    await this.db.prepare(`INSERT INTO buckets (account, name, connection, prefix, public, read_only, region) VALUES (?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (account, name) DO UPDATE SET connection = excluded.connection, prefix = excluded.prefix,
        public = excluded.public, read_only = excluded.read_only, region = excluded.region`)
      .bind(row.account, row.name, row.connection, row.prefix, row.public, row.read_only, row.region).run();
  }

  async importAccessKey(input: ImportedAccessKey): Promise<AccessKeySummary> {
    checkKeyInput(input);
    await this.requireAccount(input.account);
    const ceiling = input.ceiling === undefined ? null : statementsToJson(input.ceiling);
    const sealed = await this.box.seal(input.secretAccessKey, input.accessKeyId);
    const result = await this.db.prepare(`INSERT INTO access_keys (id, account, label, secret_ciphertext, status, created_at, expires_at, ceiling)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`)
      .bind(input.accessKeyId, input.account, input.label, sealed, input.status ?? 'active', (input.createdAt ?? this.now()).toISOString(), isoOrNull(input.expiresAt), ceiling).run();
    if (!result.meta.changes) throw new DuplicateAccessKeyError(input.accessKeyId);
    return summaryFromRow((await this.first<KeyRow>('SELECT * FROM access_keys WHERE id = ?', input.accessKeyId))!);
  }

  private async requireAccount(account: string): Promise<void> {
    if (await this.first('SELECT 1 AS found FROM accounts WHERE name = ?', account)) return;
    if (await this.externalAccount(account)) return;
    throw new UnknownAccountError(account);
  }
}

/** Applies the SQLite store's missing migration steps, each in one batch with its version bump. */
export async function migrateD1(db: D1Database): Promise<void> {
  await db.prepare('CREATE TABLE IF NOT EXISTS d1_schema (one INTEGER PRIMARY KEY CHECK (one = 1), version INTEGER NOT NULL)').run();
  await db.prepare('INSERT INTO d1_schema (one, version) VALUES (1, 0) ON CONFLICT DO NOTHING').run();
  const read = async () => (await db.prepare('SELECT version FROM d1_schema').first<{ version: number }>())?.version ?? 0;
  const from = await read();
  if (from > SQLITE_MIGRATIONS.length) throw new SchemaVersionError(WHERE, from, SQLITE_MIGRATIONS.length);
  for (let version = from; version < SQLITE_MIGRATIONS.length; version++) {
    const statements = SQLITE_MIGRATIONS[version]!.split(';').map((s) => s.trim()).filter((s) => s !== '');
    // One transaction: a step another isolate applied meanwhile fails here (its tables exist) and changes nothing.
    await db.batch([
      ...statements.map((sql) => db.prepare(sql)),
      db.prepare('UPDATE d1_schema SET version = ? WHERE version = ?').bind(version + 1, version),
    ]);
  }
}

async function verifyMasterKey(db: D1Database, box: SecretBox): Promise<void> {
  const read = async () => (await db.prepare('SELECT value FROM meta WHERE name = ?').bind(CHECK_NAME).first<{ value: string }>())?.value;
  let sealed = await read();
  if (sealed === undefined) {
    await db.prepare('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING').bind(CHECK_NAME, await box.seal(CHECK_PLAINTEXT, CHECK_NAME)).run();
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
