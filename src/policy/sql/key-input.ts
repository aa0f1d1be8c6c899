/**
 * Checks of an access key given to a writable store (its id, secret, label,
 * dates, status and ceiling), shared by the SQLite, PostgreSQL and D1 stores.
 */
import type { KeyStatus, NewAccessKey } from '../store.ts';
import { checkStatements } from './rows.ts';

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
