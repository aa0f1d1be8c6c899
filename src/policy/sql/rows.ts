/**
 * Rows of the SQLite policy database ↔ the store's records (the PostgreSQL
 * store converts its rows to these shapes first), and the checks that keep
 * malformed statements out of the database (on write) and out of the
 * gateway (on read).
 */
import type { BucketConfig } from '../../core/config.ts';
import type { Action, PermissionStatement } from '../../core/identity.ts';
import type { AccessKeySummary, BucketCreationSettings, KeyStatus } from '../store.ts';
import { CorruptRecordError } from './errors.ts';

export interface BucketRow {
  account: string;
  name: string;
  connection: string;
  prefix: string;
  public: number;
  read_only: number;
  region: string | null;
}

export interface GrantRow {
  bucket: string;
  actions: string;
  prefixes: string | null;
}

export interface KeyRow {
  id: string;
  account: string;
  label: string;
  secret_ciphertext: string;
  status: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
  ceiling: string | null;
}

const ACTIONS: readonly Action[] = ['read', 'write'];

export function bucketFromRow(row: BucketRow): BucketConfig {
  const bucket: BucketConfig = {
    name: row.name,
    connection: row.connection,
    prefix: row.prefix,
    public: row.public === 1,
    readOnly: row.read_only === 1,
  };
  if (row.account !== '') bucket.account = row.account;
  if (row.region !== null) bucket.region = row.region;
  return bucket;
}

export function bucketToRow(bucket: BucketConfig): BucketRow {
  return {
    account: bucket.account ?? '',
    name: bucket.name,
    connection: bucket.connection,
    prefix: bucket.prefix,
    public: bucket.public ? 1 : 0,
    read_only: bucket.readOnly ? 1 : 0,
    region: bucket.region ?? null,
  };
}

/** Rejects buckets a lookup could not serve; the config schema applies the naming rules. */
export function checkBucket(bucket: BucketConfig): void {
  if (typeof bucket.name !== 'string' || bucket.name === '') throw new TypeError('a bucket needs a name');
  if (bucket.account === '') throw new TypeError('a bucket account, when given, must not be empty');
  if (typeof bucket.connection !== 'string' || bucket.connection === '') throw new TypeError(`bucket ${bucket.name} needs a connection`);
  if (typeof bucket.prefix !== 'string') throw new TypeError(`bucket ${bucket.name}: prefix must be a string`);
}

/** Account names appear in grants as `account/bucket`, so they cannot hold a slash. */
export function checkAccountName(name: string): void {
  if (typeof name !== 'string' || !/^[^\s/]+$/.test(name)) {
    throw new TypeError(`invalid account name ${JSON.stringify(name)}: must be non-empty, without spaces or slashes`);
  }
}

function statementProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'a statement must be an object';
  const { bucket, actions, prefixes, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) return `unknown field ${Object.keys(rest)[0]}`;
  if (typeof bucket !== 'string' || bucket === '') return 'bucket must be a non-empty string';
  if (!Array.isArray(actions) || actions.length === 0) return 'actions must be a non-empty list';
  if (!actions.every((a) => ACTIONS.includes(a as Action))) return 'actions may only be "read" and "write"';
  if (prefixes !== undefined && !(Array.isArray(prefixes) && prefixes.every((p) => typeof p === 'string'))) {
    return 'prefixes must be a list of strings';
  }
  return undefined;
}

export function checkStatements(statements: readonly PermissionStatement[], what: string): void {
  if (!Array.isArray(statements)) throw new TypeError(`${what} must be a list of statements`);
  for (const statement of statements) {
    const problem = statementProblem(statement);
    if (problem) throw new TypeError(`${what}: ${problem}`);
  }
}

/** Keeps only a statement's own fields, so what is stored is exactly what is read back. */
function plainStatement(statement: PermissionStatement): PermissionStatement {
  return statement.prefixes === undefined
    ? { bucket: statement.bucket, actions: [...statement.actions] }
    : { bucket: statement.bucket, actions: [...statement.actions], prefixes: [...statement.prefixes] };
}

export function statementsToJson(statements: readonly PermissionStatement[]): string {
  return JSON.stringify(statements.map(plainStatement));
}

export function parseJson(json: string, what: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    throw new CorruptRecordError(what, 'not valid JSON');
  }
}

function checkedStatement(value: unknown, what: string): PermissionStatement {
  const problem = statementProblem(value);
  if (problem) throw new CorruptRecordError(what, problem);
  return value as PermissionStatement;
}

export function statementsFromJson(json: string, what: string): PermissionStatement[] {
  const value = parseJson(json, what);
  if (!Array.isArray(value)) throw new CorruptRecordError(what, 'not a list of statements');
  return value.map((statement) => checkedStatement(statement, what));
}

export function grantFromRow(row: GrantRow, account: string): PermissionStatement {
  const what = `grant of ${account} on ${row.bucket}`;
  const statement: Record<string, unknown> = { bucket: row.bucket, actions: parseJson(row.actions, what) };
  if (row.prefixes !== null) statement.prefixes = parseJson(row.prefixes, what);
  return checkedStatement(statement, what);
}

export function dateFrom(text: string | null, what: string): Date | undefined {
  if (text === null) return undefined;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw new CorruptRecordError(what, `bad time ${JSON.stringify(text)}`);
  return date;
}

export function summaryFromRow(row: KeyRow): AccessKeySummary {
  const what = `access key ${row.id}`;
  if (row.status !== 'active' && row.status !== 'disabled') throw new CorruptRecordError(what, `bad status ${row.status}`);
  const summary: AccessKeySummary = {
    accessKeyId: row.id,
    account: row.account,
    label: row.label,
    status: row.status as KeyStatus,
    createdAt: dateFrom(row.created_at, what)!,
  };
  const expiresAt = dateFrom(row.expires_at, what);
  const revokedAt = dateFrom(row.revoked_at, what);
  const lastUsedAt = dateFrom(row.last_used_at, what);
  if (expiresAt) summary.expiresAt = expiresAt;
  if (revokedAt) summary.revokedAt = revokedAt;
  if (lastUsedAt) summary.lastUsedAt = lastUsedAt;
  if (row.ceiling !== null) summary.ceiling = statementsFromJson(row.ceiling, `${what} ceiling`);
  return summary;
}

export function isoOrNull(date: Date | undefined): string | null {
  return date === undefined ? null : date.toISOString();
}

export function creationToJson(settings: BucketCreationSettings): string {
  if (typeof settings.connection !== 'string' || settings.connection === '' || typeof settings.prefix !== 'string') {
    throw new TypeError('bucket creation needs a connection and a prefix template');
  }
  return JSON.stringify({ connection: settings.connection, prefix: settings.prefix });
}

export function creationFromJson(json: string, what: string): BucketCreationSettings {
  const value = parseJson(json, what) as Partial<BucketCreationSettings> | null;
  if (value === null || typeof value !== 'object' || typeof value.connection !== 'string' || typeof value.prefix !== 'string') {
    throw new CorruptRecordError(what, 'not { connection, prefix }');
  }
  return { connection: value.connection, prefix: value.prefix };
}
