/**
 * The policy store interfaces. Split in two, as they change for different
 * reasons: resolution (buckets, account grants) and credentials (access
 * keys; later roles, identity providers and API keys). Lookups return `null`
 * for "absent" and throw only for failures. Writable stores add management.
 */
import type { GrantSource } from '../authz/grant-policy.ts';
import type { BucketConfig } from '../core/config.ts';
import type { PermissionStatement } from '../core/identity.ts';
import type { ResolutionStore } from '../core/resolution-store.ts';

export type KeyStatus = 'active' | 'disabled';

/** What the gateway needs to authenticate a long-lived access key. */
export interface AccessKeyRecord {
  accessKeyId: string;
  account: string;
  label: string;
  /** The plaintext secret: SigV4 needs it to recompute signatures. Never logged. */
  secretAccessKey: string;
  status: KeyStatus;
  createdAt: Date;
  expiresAt?: Date;
  revokedAt?: Date;
  lastUsedAt?: Date;
  /** An upper bound on what the key may do, within its account's grants. */
  ceiling?: PermissionStatement[];
}

/** An access key as management shows it: everything but the secret. */
export type AccessKeySummary = Omit<AccessKeyRecord, 'secretAccessKey'>;

export interface CredentialStore {
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | null>;
}

export interface PolicyStore extends ResolutionStore, GrantSource, CredentialStore {}

export interface NewAccessKey {
  account: string;
  label: string;
  expiresAt?: Date;
  ceiling?: PermissionStatement[];
}

export interface AccountGrant extends PermissionStatement {
  account: string;
}

/** Stores that can be managed at run time (SQLite, PostgreSQL). */
export interface WritablePolicyStore extends PolicyStore {
  /** Creates a key; the secret is returned once, here, and stored encrypted. */
  createAccessKey(input: NewAccessKey): Promise<{ accessKeyId: string; secretAccessKey: string; record: AccessKeySummary }>;
  listAccessKeys(filter?: { account?: string }): Promise<AccessKeySummary[]>;
  /** Marks the key revoked; false when there is no such key. */
  revokeAccessKey(accessKeyId: string): Promise<boolean>;
  recordKeyUse(accessKeyId: string, at: Date): Promise<void>;
  putAccount(account: string): Promise<void>;
  listAccounts(): Promise<string[]>;
  putGrant(grant: AccountGrant): Promise<void>;
  removeGrant(account: string, bucket: string): Promise<boolean>;
  putBucket(bucket: BucketConfig): Promise<void>;
  removeBucket(name: string, account?: string): Promise<boolean>;
  close(): Promise<void>;
}

/** Whether a key may be used now; the reason when not. */
export function keyUsability(record: AccessKeyRecord, now: Date): 'usable' | 'revoked' | 'disabled' | 'expired' {
  if (record.revokedAt !== undefined) return 'revoked';
  if (record.status === 'disabled') return 'disabled';
  if (record.expiresAt !== undefined && record.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'usable';
}
