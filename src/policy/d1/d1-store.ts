/**
 * The policy store over Cloudflare D1: the SQLite store's schema and rows
 * through the D1 binding, so a Worker resolves buckets, grants, access keys
 * and revoked sessions from a database instead of its bundled
 * configuration. Runtime-agnostic (no `cloudflare:*` or `node:*` imports);
 * secrets are sealed with the master key exactly as in the SQLite store, so
 * a database can move between the two.
 *
 * Opening checks the schema version (`d1-schema.ts`: the database is
 * migrated with wrangler, not by the Worker) and the master key. Writes are
 * what importing a configuration and `sluice d1 keys` need, as the
 * statements of `d1-writes.ts`; `sluice keys` and the other management
 * commands work on SQLite and PostgreSQL.
 */
import { SecretBox } from '../../auth/secret-box.ts';
import type { BucketConfig } from '../../core/config.ts';
import type { PermissionStatement } from '../../core/identity.ts';
import type { RevocationKind, SessionRevocation } from '../../sts/session-revocation.ts';
import { DuplicateAccessKeyError, MasterKeyMismatchError, SecretUnreadableError, UnknownAccountError } from '../sql/errors.ts';
import type { ImportedAccessKey } from '../sql/key-input.ts';
import {
  bucketFromRow, bucketToRow, checkAccountName, checkBucket, checkStatements, grantFromRow,
  summaryFromRow, type BucketRow, type GrantRow, type KeyRow,
} from '../sql/rows.ts';
import type { AccessKeyRecord, AccessKeySummary, AccountGrant, PolicyStore } from '../store.ts';
import { checkD1Schema } from './d1-schema.ts';
import type { D1Database } from './d1-types.ts';
import {
  MASTER_KEY_CHECK_NAME, MASTER_KEY_CHECK_PLAINTEXT, accessKeyInsert, accessKeyRevoke, accountInsert, masterKeyCheckInsert,
  type D1Statement,
} from './d1-writes.ts';

export interface D1PolicyStoreOptions {
  masterKey: Uint8Array;
  now?: () => Date;
  accountExists?: (name: string) => boolean | Promise<boolean>;
}

const WHERE = 'the D1 policy database';

export class D1PolicyStore implements PolicyStore {
  private readonly now: () => Date;
  private readonly externalAccount: (name: string) => boolean | Promise<boolean>;

  private constructor(private readonly db: D1Database, private readonly box: SecretBox, options: D1PolicyStoreOptions) {
    this.now = options.now ?? (() => new Date());
    this.externalAccount = options.accountExists ?? (() => false);
  }

  /**
   * Checks that the database is at this Sluice's schema version (throws
   * `D1SchemaNotMigratedError` saying how to migrate it) and that the master
   * key is the one it was made with, and opens the store.
   */
  static async open(db: D1Database, options: D1PolicyStoreOptions): Promise<D1PolicyStore> {
    await checkD1Schema(db);
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

  private run(statement: D1Statement): Promise<{ meta: { changes?: number } }> {
    return this.db.prepare(statement.sql).bind(...statement.values).run();
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

  // ---- what importing a configuration and `sluice d1 keys` need ----

  async putAccount(account: string): Promise<void> {
    checkAccountName(account);
    await this.run(accountInsert(account, this.now()));
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
    const insert = await accessKeyInsert(this.box, input, this.now());
    await this.requireAccount(input.account);
    const result = await this.run(insert);
    if (!result.meta.changes) throw new DuplicateAccessKeyError(input.accessKeyId);
    return summaryFromRow((await this.first<KeyRow>('SELECT * FROM access_keys WHERE id = ?', input.accessKeyId))!);
  }

  /** Marks the key revoked; false when there is no such key. Other isolates refuse it once their policy cache entry expires. */
  async revokeAccessKey(accessKeyId: string): Promise<boolean> {
    return Boolean((await this.run(accessKeyRevoke(accessKeyId, this.now()))).meta.changes);
  }

  private async requireAccount(account: string): Promise<void> {
    if (await this.first('SELECT 1 AS found FROM accounts WHERE name = ?', account)) return;
    if (await this.externalAccount(account)) return;
    throw new UnknownAccountError(account);
  }
}

/** The first opener (or `sluice d1 keys create`) stores the check; every opener verifies it. */
async function verifyMasterKey(db: D1Database, box: SecretBox): Promise<void> {
  const read = async () => (await db.prepare('SELECT value FROM meta WHERE name = ?').bind(MASTER_KEY_CHECK_NAME).first<{ value: string }>())?.value;
  let sealed = await read();
  if (sealed === undefined) {
    const insert = await masterKeyCheckInsert(box);
    await db.prepare(insert.sql).bind(...insert.values).run();
    sealed = (await read())!;
  }
  let opened: string | undefined;
  try {
    opened = await box.open(sealed, MASTER_KEY_CHECK_NAME);
  } catch {
    opened = undefined;
  }
  if (opened !== MASTER_KEY_CHECK_PLAINTEXT) throw new MasterKeyMismatchError(WHERE);
}
