/**
 * The gateway's `AccessPolicy` backed by account grants from the policy store.
 */
import type { AccessPolicy } from '../core/access-policy.ts';
import type { AddressingMode, BucketConfig } from '../core/config.ts';
import type { Identity, PermissionStatement } from '../core/identity.ts';
import { canSee, decide } from './decide.ts';

export interface GrantSource {
  /** An account's current grants (empty when it has none or does not exist). */
  getGrants(account: string): Promise<readonly PermissionStatement[]>;
}

/** The name grants use for a bucket: its name, or `account/name` in path-mapped mode. */
export function bucketRef(bucket: BucketConfig, mode: AddressingMode): string {
  return mode === 'path-mapped' && bucket.account !== undefined ? `${bucket.account}/${bucket.name}` : bucket.name;
}

export function createGrantPolicy(grants: GrantSource, mode: AddressingMode): AccessPolicy {
  const grantsOf = (identity: Identity) =>
    identity.kind === 'anonymous' ? Promise.resolve([]) : grants.getGrants(identity.account);
  return {
    async allows(identity, request) {
      // Public reads need no grant lookup, which keeps anonymous reads off the store.
      if (request.action === 'read' && request.bucket.public) return true;
      return decide({ identity, ...request, bucketRef: bucketRef(request.bucket, mode), grants: await grantsOf(identity) });
    },
    async canSee(identity, bucket) {
      if (bucket.public) return true;
      return canSee(identity, bucket, bucketRef(bucket, mode), await grantsOf(identity));
    },
  };
}
