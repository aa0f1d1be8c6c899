/**
 * The fleet-wide cache tier: policy lookups shared through a `SharedCache`
 * (Redis) between the per-process TTL cache and the store, with the same
 * TTLs. Entries are sealed with the master key (AES-GCM bound to the entry's
 * name), as access key records carry secrets. A shared cache that fails
 * costs a warning (at most one per interval) and a lookup in the store,
 * never a failed request. Bucket entries live in one hash so a bucket
 * change drops them all at once; keys and grants are entries of their own.
 */
import type { SecretBox } from '../auth/secret-box.ts';
import type { BucketConfig } from '../core/config.ts';
import type { PermissionStatement } from '../core/identity.ts';
import type { SessionRevocation } from '../sts/session-revocation.ts';
import type { PolicyChange } from './policy-change.ts';
import type { SharedCache } from './shared-cache.ts';
import type { AccessKeyRecord, PolicyStore } from './store.ts';

export interface SharedTierOptions {
  ttlMs: number;
  /** TTL of "absent" answers; defaults to the smaller of `ttlMs` and 5 s, like the per-process cache. */
  negativeTtlMs?: number;
  box: SecretBox;
  /** Names every entry, so fleets (or versions) sharing one Redis keep apart. */
  prefix?: string;
  now?: () => number;
  warn(message: string, error: unknown): void;
  /** At most one warning per this interval; default 30 s. */
  warnIntervalMs?: number;
}

const BUCKETS = 'buckets';
const DATE_FIELDS = new Set(['createdAt', 'expiresAt', 'revokedAt', 'lastUsedAt']);

/** The stored form: the value and when it stops being good (hash fields have no TTL of their own). */
interface Envelope {
  v: unknown;
  exp: number;
}

export class SharedTierPolicyStore implements PolicyStore {
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly negativeTtlMs: number;
  private readonly now: () => number;
  private lastWarning = -Infinity;
  /** Bumped by every change: a lookup that began before one must not write back what it read. */
  private generation = 0;

  constructor(private readonly inner: PolicyStore, private readonly cache: SharedCache, private readonly options: SharedTierOptions) {
    this.prefix = options.prefix ?? 'sluice:policy:v1:';
    this.ttlMs = options.ttlMs;
    this.negativeTtlMs = options.negativeTtlMs ?? Math.min(options.ttlMs, 5_000);
    this.now = options.now ?? Date.now;
  }

  getBucket(name: string): Promise<BucketConfig | null> {
    return this.field(`bucket:${enc(name)}`, () => this.inner.getBucket(name));
  }

  getProduct(account: string, product: string): Promise<BucketConfig | null> {
    return this.field(`product:${enc(account)}:${enc(product)}`, () => this.inner.getProduct(account, product));
  }

  listBuckets(): Promise<BucketConfig[]> {
    return this.field('list', () => this.inner.listBuckets());
  }

  listProducts(account: string): Promise<BucketConfig[]> {
    return this.field(`products:${enc(account)}`, () => this.inner.listProducts(account));
  }

  getGrants(account: string): Promise<readonly PermissionStatement[]> {
    return this.entry(`grants:${enc(account)}`, () => this.inner.getGrants(account));
  }

  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | null> {
    return this.entry(`key:${enc(accessKeyId)}`, () => this.inner.getAccessKey(accessKeyId));
  }

  /**
   * Revoked sessions straight from the store: the list is small, the
   * per-process cache in front holds it for the TTL, and a shared copy could
   * only delay a revocation. Passed through so that no tier hides one.
   */
  async listSessionRevocations(now: Date): Promise<SessionRevocation[]> {
    return (await this.inner.listSessionRevocations?.(now)) ?? [];
  }

  /** Drops the shared entries a change affects (every instance does, so a missed one is covered by the others). */
  async applyChange(change: PolicyChange): Promise<void> {
    this.generation++;
    const keys = change.kind === 'access-key' ? [this.key(`key:${enc(change.accessKeyId)}`)]
      : change.kind === 'grants' ? [this.key(`grants:${enc(change.account)}`)]
      : change.kind === 'buckets' || change.kind === 'all' ? [this.key(BUCKETS)]
      // Roles, revoked sessions, session keys, API key records and registered providers have no shared entries.
      : [];
    // "all": the bucket hash is cheap to drop; keys and grants expire within their TTL.
    if (keys.length === 0) return;
    try {
      await this.cache.delete(...keys);
    } catch (error) {
      this.warn(error);
    }
  }

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }

  private entry<V>(name: string, load: () => Promise<V>): Promise<V> {
    const key = this.key(name);
    return this.lookup(key, () => this.cache.get(key), (value, ttl) => this.cache.set(key, value, ttl), load);
  }

  private field<V>(name: string, load: () => Promise<V>): Promise<V> {
    const hash = this.key(BUCKETS);
    return this.lookup(`${hash}/${name}`, () => this.cache.getField(hash, name), (value, ttl) => this.cache.setField(hash, name, value, ttl), load);
  }

  private async lookup<V>(
    context: string,
    read: () => Promise<string | null>,
    write: (value: string, ttlMs: number) => Promise<void>,
    load: () => Promise<V>,
  ): Promise<V> {
    let stored: string | null = null;
    try {
      stored = await read();
    } catch (error) {
      this.warn(error);
    }
    if (stored !== null) {
      const envelope = await this.unseal(stored, context);
      if (envelope && envelope.exp > this.now()) return envelope.v as V;
    }
    const generation = this.generation;
    const value = await load();
    const ttl = value === null ? this.negativeTtlMs : this.ttlMs;
    if (ttl > 0 && generation === this.generation) {
      try {
        const sealed = await this.options.box.seal(JSON.stringify({ v: value, exp: this.now() + ttl } satisfies Envelope), context);
        await write(sealed, ttl);
      } catch (error) {
        this.warn(error);
      }
    }
    return value;
  }

  /** An entry that does not open (another master key, tampering, another format) is a miss, not an answer. */
  private async unseal(stored: string, context: string): Promise<Envelope | undefined> {
    try {
      const envelope = JSON.parse(await this.options.box.open(stored, context), reviveDates) as Envelope;
      return typeof envelope.exp === 'number' ? envelope : undefined;
    } catch {
      return undefined;
    }
  }

  private warn(error: unknown): void {
    const now = this.now();
    if (now - this.lastWarning < (this.options.warnIntervalMs ?? 30_000)) return;
    this.lastWarning = now;
    this.options.warn('shared cache unavailable; using this process’s cache and the store', error);
  }
}

/** Names are user data: keep them from forming other entries' names. */
function enc(part: string): string {
  return encodeURIComponent(part);
}

function reviveDates(key: string, value: unknown): unknown {
  return DATE_FIELDS.has(key) && typeof value === 'string' ? new Date(value) : value;
}
