/**
 * The access decision, as one pure function.
 *
 * - Anyone, signed or not, may read a public bucket.
 * - Anonymous callers may do nothing else.
 * - Otherwise the credentials' ceiling (when they carry one) must allow the
 *   request, and so must the account's live grants — or the account owns the
 *   bucket, which gives it read and write.
 * - Writes to a read-only bucket are always refused.
 */
import type { BucketConfig } from '../core/config.ts';
import type { Action, Identity, PermissionStatement } from '../core/identity.ts';
import { type Scope, statementsAllow, statementsTouchBucket } from './statements.ts';

export interface Decision {
  identity: Identity;
  action: Action;
  bucket: BucketConfig;
  /** The name grants use for this bucket. */
  bucketRef: string;
  path: string;
  scope: Scope;
  /** The calling account's current grants (empty for anonymous callers). */
  grants: readonly PermissionStatement[];
}

export function decide(d: Decision): boolean {
  if (d.action === 'write' && d.bucket.readOnly) return false;
  if (d.action === 'read' && d.bucket.public) return true;
  if (d.identity.kind === 'anonymous') return false;
  const { ceiling, account } = d.identity;
  if (ceiling && !statementsAllow(ceiling, d.action, d.bucketRef, d.path, d.scope)) return false;
  if (d.bucket.account === account) return true;
  return statementsAllow(d.grants, d.action, d.bucketRef, d.path, d.scope);
}

/** Whether the identity may read anything at all in the bucket (ListBuckets, and existence). */
export function canSee(identity: Identity, bucket: BucketConfig, bucketRef: string, grants: readonly PermissionStatement[]): boolean {
  if (bucket.public) return true;
  if (identity.kind === 'anonymous') return false;
  if (identity.ceiling && !statementsTouchBucket(identity.ceiling, bucketRef)) return false;
  return bucket.account === identity.account || statementsTouchBucket(grants, bucketRef);
}
