/**
 * The D1 store's writes as statements with their values: the store binds
 * them to the D1 binding, and `sluice d1 keys` renders the same statements
 * as SQL text for `wrangler d1 execute` (`toSqlText`), so a key added from
 * the command line is exactly the row the store would write. Secrets are
 * sealed with the master key before they get here, bound to their row.
 */
import type { SecretBox } from '../../auth/secret-box.ts';
import { checkKeyInput, type ImportedAccessKey } from '../sql/key-input.ts';
import { isoOrNull, statementsToJson } from '../sql/rows.ts';

export type SqlValue = string | number | null;

export interface D1Statement {
  sql: string;
  values: readonly SqlValue[];
}

export const MASTER_KEY_CHECK_NAME = 'master_key_check';
export const MASTER_KEY_CHECK_PLAINTEXT = 'sluice-master-key-check';

/** The known value sealed under the master key; the first one stored stays. */
export async function masterKeyCheckInsert(box: SecretBox): Promise<D1Statement> {
  return {
    sql: 'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT DO NOTHING',
    values: [MASTER_KEY_CHECK_NAME, await box.seal(MASTER_KEY_CHECK_PLAINTEXT, MASTER_KEY_CHECK_NAME)],
  };
}

export function accountInsert(account: string, at: Date): D1Statement {
  return { sql: 'INSERT INTO accounts (name, created_at) VALUES (?, ?) ON CONFLICT DO NOTHING', values: [account, at.toISOString()] };
}

/** A key with its secret sealed; an id already taken changes nothing (the caller checks `changes`). */
export async function accessKeyInsert(box: SecretBox, input: ImportedAccessKey, now: Date): Promise<D1Statement> {
  checkKeyInput(input);
  return {
    sql: `INSERT INTO access_keys (id, account, label, secret_ciphertext, status, created_at, expires_at, ceiling)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    values: [
      input.accessKeyId,
      input.account,
      input.label,
      await box.seal(input.secretAccessKey, input.accessKeyId),
      input.status ?? 'active',
      (input.createdAt ?? now).toISOString(),
      isoOrNull(input.expiresAt),
      input.ceiling === undefined ? null : statementsToJson(input.ceiling),
    ],
  };
}

/** Marks a key revoked (the first revocation's time stays), as the SQLite store does. */
export function accessKeyRevoke(accessKeyId: string, at: Date): D1Statement {
  return { sql: 'UPDATE access_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?', values: [at.toISOString(), accessKeyId] };
}

/** SQL text with the values written in as literals, for `wrangler d1 execute --file` or `--command`. */
export function toSqlText(statement: D1Statement): string {
  const values = [...statement.values];
  const parts = statement.sql.replace(/\s*\n\s*/g, ' ').split('?');
  if (parts.length - 1 !== values.length) throw new TypeError(`the statement has ${parts.length - 1} placeholders for ${values.length} values`);
  return parts.reduce((text, part, index) => text + sqlLiteral(values[index - 1]!) + part) + ';';
}

function sqlLiteral(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('a SQL number must be finite');
    return String(value);
  }
  // Quotes doubled; NUL cannot be written in a literal, and no stored value has one.
  if (value.includes('\0')) throw new TypeError('a SQL text value cannot contain NUL');
  return `'${value.replaceAll("'", "''")}'`;
}
