/**
 * The authorize stage: may this identity perform this action on this bucket?
 *
 * Fails closed, and answers a caller without read access identically for a
 * restricted bucket and a missing one, so bucket names do not leak.
 */
import type { BucketConfig } from './config.ts';
import { S3Error, accessDenied } from './errors/s3-error.ts';
import type { Identity } from './identity.ts';

export type Action = 'read' | 'write';

export interface AccessRequest {
  identity: Identity;
  action: Action;
  bucket: BucketConfig;
  /** The key or list prefix the request touches within the bucket. */
  path: string;
}

/** Whether the request is allowed; pure, so it can be tested as a truth table. */
export function isAllowed(request: AccessRequest): boolean {
  const { identity, action, bucket } = request;
  if (identity.kind === 'anonymous') return action === 'read' && bucket.public;
  return false;
}

/** Throws the S3 error the caller should see when the request is not allowed. */
export function authorize(request: AccessRequest): void {
  if (!isAllowed(request)) throw accessDenied();
  if (request.action === 'write' && request.bucket.readOnly) throw accessDenied();
}

/** What a caller gets for a bucket that does not exist: the same as for one it may not read. */
export function missingBucket(): S3Error {
  return accessDenied();
}
