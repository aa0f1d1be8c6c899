/**
 * Checks of an access key given to a writable store (its id, secret, label,
 * dates, status and ceiling), shared by the SQLite, PostgreSQL and D1 stores,
 * and the making of a new key on top of a store's import.
 */
import { newAccessKeyId, newSecretAccessKey } from '../../auth/access-key-ids.ts';
import type { AccessKeySummary, KeyStatus, NewAccessKey } from '../store.ts';
import { DuplicateAccessKeyError } from './errors.ts';
import { checkStatements } from './rows.ts';

/** Random ids collide with negligible odds; a few retries turn "negligible" into "never". */
const ID_ATTEMPTS = 5;

/** A key with a given id and secret: config keys moved into the store, and test seeds. */
export interface ImportedAccessKey extends NewAccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  status?: KeyStatus;
  createdAt?: Date;
}

export function checkKeyInput(input: ImportedAccessKey): void {
  if (typeof input.accessKeyId !== 'string' || !/^[A-Za-z0-9]{1,128}$/.test(input.accessKeyId)) {
    throw new TypeError('an access key id must be 1 to 128 letters or digits');
  }
  if (typeof input.secretAccessKey !== 'string' || input.secretAccessKey === '') throw new TypeError('an access key needs a secret');
  if (typeof input.label !== 'string') throw new TypeError('an access key label must be a string');
  for (const [name, date] of [['expiresAt', input.expiresAt], ['createdAt', input.createdAt]] as const) {
    if (date !== undefined && !(date instanceof Date && !Number.isNaN(date.getTime()))) throw new TypeError(`${name} must be a valid Date`);
  }
  if (input.status !== undefined && input.status !== 'active' && input.status !== 'disabled') throw new TypeError('status must be "active" or "disabled"');
  if (input.ceiling !== undefined) checkStatements(input.ceiling, `ceiling of ${input.accessKeyId}`);
}

/** A new key with a fresh id and secret, stored through `importKey`; an id already taken draws another. */
export async function createAccessKeyWith(
  importKey: (input: ImportedAccessKey) => Promise<AccessKeySummary>,
  input: NewAccessKey,
): Promise<{ accessKeyId: string; secretAccessKey: string; record: AccessKeySummary }> {
  const secretAccessKey = newSecretAccessKey();
  for (let attempt = 1; ; attempt++) {
    const accessKeyId = newAccessKeyId();
    try {
      const record = await importKey({ ...input, accessKeyId, secretAccessKey });
      return { accessKeyId, secretAccessKey, record };
    } catch (error) {
      if (!(error instanceof DuplicateAccessKeyError) || attempt >= ID_ATTEMPTS) throw error;
    }
  }
}
