/**
 * The policy store interfaces. Split in two, as they change for different
 * reasons: resolution (buckets, account grants) and credentials (access
 * keys; later roles, identity providers and API keys). Lookups return `null`
 * for "absent" and throw only for failures. Writable stores add management.
 */
import type { ApiKeyStore } from './api-key-store.ts';
import type { AccountIdentityProviderStore } from '../oidc/account-providers.ts';
import type { OutboundSecretStore } from './outbound-store.ts';
import type { GrantSource } from '../authz/grant-policy.ts';
import type { BucketConfig } from '../core/config.ts';
import type { AccessKeyLookup, AccessKeyRecord } from '../auth/access-keys.ts';
import type { PermissionStatement } from '../core/identity.ts';
import type { ResolutionStore } from '../core/resolution-store.ts';
import type { CreateOutcome, CreatedBucket } from '../core/bucket-registry.ts';
import type { SessionRevocation, SessionRevocationStore } from '../sts/session-revocation.ts';
import type { RoleDefinitionStore } from '../sts/store-role-source.ts';
import type { SessionKeyStore } from '../sts/stored-session-keys.ts';

export type { AccessKeyRecord, KeyStatus } from '../auth/access-keys.ts';
export { keyUsability } from '../auth/access-keys.ts';

/** An access key as management shows it: everything but the secret. */
export type AccessKeySummary = Omit<AccessKeyRecord, 'secretAccessKey'>;

/** The credentials half of a policy store (access keys; later roles, identity providers and API keys). */
export interface CredentialStore extends AccessKeyLookup {}

export interface PolicyStore extends ResolutionStore, GrantSource, CredentialStore {
  /** Revoked sessions not yet expired at `now`; absent where a store keeps none (the config file). */
  listSessionRevocations?(now: Date): Promise<SessionRevocation[]>;
}

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
export interface WritablePolicyStore extends Omit<PolicyStore, 'listSessionRevocations'>, SessionRevocationStore, RoleDefinitionStore, ApiKeyStore, AccountIdentityProviderStore {
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
  /** Issuer keys and connection keys, sealed; absent in stores that do not hold them. */
  readonly outbound?: OutboundSecretStore;
  /** Session HMAC secrets and signing keys by version, sealed; absent in stores that do not hold them. */
  readonly sessionKeys?: SessionKeyStore;
  close(): Promise<void>;
}

/** Where an account's new buckets go: a connection and a prefix template with `{bucket}` (and optionally `{account}`). */
export interface BucketCreationSettings {
  connection: string;
  prefix: string;
}

/**
 * A writable store that holds buckets created by clients (CreateBucket) and,
 * for the accounts it holds, whether they may create them.
 */
export interface BucketCreationStore {
  /** Allows (settings) or stops (null) an account of this store creating buckets; the account is created if new. */
  setBucketCreation(account: string, settings: BucketCreationSettings | null): Promise<void>;
  getBucketCreation(account: string): Promise<BucketCreationSettings | null>;
  /**
   * In one transaction: refuses a name any bucket of this store has (`owned`
   * when it is the same account's), else stores the bucket, marked as
   * client-created, and the account's read and write grant on it.
   */
  createClientBucket(bucket: BucketConfig & { account: string }, at: Date): Promise<CreateOutcome>;
  /** The client-created bucket of this name; null for none, or for a bucket stored otherwise. */
  getClientBucket(name: string): Promise<CreatedBucket | null>;
  /** In one transaction: removes the account's client-created bucket and every grant on it; false when there was none. */
  deleteClientBucket(name: string, account: string): Promise<boolean>;
}

export function hasBucketCreation<S extends object>(store: S): store is S & BucketCreationStore {
  const candidate = store as Partial<BucketCreationStore>;
  return typeof candidate.createClientBucket === 'function' && typeof candidate.setBucketCreation === 'function';
}
