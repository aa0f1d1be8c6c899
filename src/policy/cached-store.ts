/**
 * A TTL cache in front of any policy store, so the per-request lookups
 * (bucket, grants, access key) rarely reach the store. Changes made elsewhere
 * (another process's `sluice keys revoke`) show within the TTL; changes made
 * through this process call `invalidate` and show at once, and so do changes
 * a store with a change feed announces (`applyChange`).
 */
import type { BucketConfig } from '../core/config.ts';
import type { PermissionStatement } from '../core/identity.ts';
import type { SessionRevocation } from '../sts/session-revocation.ts';
import type { PolicyChange } from './policy-change.ts';
import type { AccessKeyRecord, PolicyStore } from './store.ts';
import { TtlCache } from './ttl-cache.ts';

export class CachedPolicyStore implements PolicyStore {
  private readonly cache: TtlCache<unknown>;

  constructor(private readonly inner: PolicyStore, options: { ttlMs: number; now?: () => number; onLookup?: (outcome: 'hit' | 'miss') => void }) {
    this.cache = new TtlCache({ ttlMs: options.ttlMs, now: options.now, ...(options.onLookup !== undefined && { onLookup: options.onLookup }) });
  }

  private cached<V>(key: string, load: () => Promise<V>): Promise<V> {
    return this.cache.get(key, load) as Promise<V>;
  }

  getBucket(name: string): Promise<BucketConfig | null> {
    return this.cached(`bucket\0${name}`, () => this.inner.getBucket(name));
  }

  getProduct(account: string, product: string): Promise<BucketConfig | null> {
    return this.cached(`product\0${account}\0${product}`, () => this.inner.getProduct(account, product));
  }

  listBuckets(): Promise<BucketConfig[]> {
    return this.cached('buckets', () => this.inner.listBuckets());
  }

  listProducts(account: string): Promise<BucketConfig[]> {
    return this.cached(`products\0${account}`, () => this.inner.listProducts(account));
  }

  getGrants(account: string): Promise<readonly PermissionStatement[]> {
    return this.cached(`grants\0${account}`, () => this.inner.getGrants(account));
  }

  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | null> {
    return this.cached(`key\0${accessKeyId}`, () => this.inner.getAccessKey(accessKeyId));
  }

  /**
   * Revoked sessions, one cached list for every request: checking a session
   * against an empty deny list costs a map lookup. An entry that expires
   * within the TTL may be applied a little longer; it only matches sessions
   * that have expired by then anyway.
   */
  listSessionRevocations(now: Date): Promise<SessionRevocation[]> {
    const inner = this.inner;
    if (!inner.listSessionRevocations) return Promise.resolve([]);
    return this.cached('session-revocations', () => inner.listSessionRevocations!(now));
  }

  /** Forget the revoked sessions (after revoking one in this process). */
  invalidateSessionRevocations(): void {
    this.cache.invalidate('session-revocations');
  }

  /** Forget one access key (after revoking it in this process). */
  invalidateAccessKey(accessKeyId: string): void {
    this.cache.invalidate(`key\0${accessKeyId}`);
  }

  /** Forget everything (after changing buckets or grants in this process). */
  invalidateAll(): void {
    this.cache.clear();
  }

  /** Forget what a change announced by the store affects. */
  applyChange(change: PolicyChange): void {
    if (change.kind === 'access-key') this.invalidateAccessKey(change.accessKeyId);
    else if (change.kind === 'grants') this.cache.invalidate(`grants\0${change.account}`);
    else if (change.kind === 'session-revocations') this.invalidateSessionRevocations();
    // Roles, session keys, API key records and registered providers are cached by their own readers, not here.
    else if (change.kind === 'role' || change.kind === 'session-keys' || change.kind === 'api-key' || change.kind === 'identity-providers') return;
    // Bucket entries are few and keyed several ways: drop them all, as for "all".
    else this.invalidateAll();
  }
}
