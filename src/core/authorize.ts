/**
 * The authorize stage: may this identity perform this action here?
 *
 * The decision itself is an injected `AccessPolicy` (grants and ceilings live
 * in `src/authz/`); this stage applies it and turns "no" into the S3 error.
 * A caller without read access gets the same answer for a restricted bucket
 * as for a missing one, so bucket names do not leak.
 */
import type { BucketConfig } from './config.ts';
import { type S3Error, accessDenied } from './errors/s3-error.ts';
import type { Action, Identity } from './identity.ts';

export interface AccessRequest {
  action: Action;
  bucket: BucketConfig;
  /** The key (scope `object`) or list prefix (scope `list`) within the bucket. */
  path: string;
  scope: 'object' | 'list';
}

export interface AccessPolicy {
  allows(identity: Identity, request: AccessRequest): Promise<boolean>;
  /** Whether the identity may read anything in the bucket: it appears in ListBuckets and answers as existing. */
  canSee(identity: Identity, bucket: BucketConfig): Promise<boolean>;
}

/** The policy without accounts: anonymous read of public buckets, nothing else. */
export const publicOnlyPolicy: AccessPolicy = {
  async allows(_identity, request) {
    return request.action === 'read' && request.bucket.public;
  },
  async canSee(_identity, bucket) {
    return bucket.public;
  },
};

export async function authorize(policy: AccessPolicy, identity: Identity, request: AccessRequest): Promise<void> {
  if (!(await policy.allows(identity, request))) throw accessDenied();
}

/** What a caller gets for a bucket that does not exist: the same as for one it may not read. */
export function missingBucket(): S3Error {
  return accessDenied();
}
