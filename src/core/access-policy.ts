/**
 * Who may do what: the decision the authorize stage asks for. The rules
 * themselves (grants, ceilings) live in `src/authz/` and are injected; the
 * core ships only the policy without accounts.
 */
import type { BucketConfig } from './config.ts';
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
