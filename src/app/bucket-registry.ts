/**
 * The app's `BucketRegistry`: which accounts may create buckets and where
 * their buckets go (the configuration file for accounts it defines, the
 * database store for accounts held there), and the buckets clients create,
 * kept in the database store. Names declared in the configuration are
 * never available. Every change drops the affected cached policy entries
 * in this process at once (other processes see it within the cache TTL).
 */
import type { BucketPlacement, BucketRegistry, CreatedBucket, CreateOutcome } from '../core/bucket-registry.ts';
import type { BucketConfig, SluiceConfig } from '../core/config.ts';
import { expandBucketPrefix } from '../config/bucket-prefix-template.ts';
import { prefixProblem } from '../config/rules.ts';
import type { PolicyChange } from '../policy/policy-change.ts';
import type { BucketCreationSettings, BucketCreationStore, PolicyStore } from '../policy/store.ts';

export interface BucketRegistryOptions {
  config: SluiceConfig;
  /** The configuration file's buckets: their names are taken. */
  fixed: PolicyStore;
  /** The database store that holds client-created buckets. */
  managed: BucketCreationStore;
  now: () => Date;
  /** Drops what a change affects from the caches in front of the store. */
  changed: (change: PolicyChange) => void;
  warn: (message: string, detail: Record<string, unknown>) => void;
  /** Records `bucket.created` and `bucket.deleted` audit events. */
  audit: (event: 'bucket.created' | 'bucket.deleted', detail: Record<string, string>) => void;
}

export function createBucketRegistry(options: BucketRegistryOptions): BucketRegistry {
  const { config, fixed, managed } = options;
  const fileAccounts = new Map(config.accounts.map((account) => [account.name, account]));

  async function settingsOf(account: string): Promise<BucketCreationSettings | null> {
    // The file is the operator's fixed ground: an account it defines is allowed there or not at all.
    const inFile = fileAccounts.get(account);
    if (inFile) return inFile.createBuckets ?? null;
    return managed.getBucketCreation(account);
  }

  return {
    async placement(account, name): Promise<BucketPlacement | null> {
      const settings = await settingsOf(account);
      if (!settings) return null;
      if (!Object.hasOwn(config.connections, settings.connection)) {
        options.warn('bucket creation names a connection that is not configured; refused', { account, connection: settings.connection });
        return null;
      }
      // Stored account names are freer than bucket names: a prefix that is no safe relative path is refused, not used.
      const prefix = expandBucketPrefix(settings.prefix, account, name);
      if (prefixProblem(prefix) !== undefined || prefix === '') {
        options.warn('bucket creation template gives no usable prefix for this account; refused', { account });
        return null;
      }
      return { connection: settings.connection, prefix };
    },

    async created(name): Promise<CreatedBucket | null> {
      if (await fixed.getBucket(name)) return null;
      return managed.getClientBucket(name);
    },

    async create(bucket: BucketConfig & { account: string }): Promise<CreateOutcome> {
      if (await fixed.getBucket(bucket.name)) return 'taken';
      const outcome = await managed.createClientBucket(bucket, options.now());
      if (outcome === 'created') {
        options.changed({ kind: 'buckets' });
        options.changed({ kind: 'grants', account: bucket.account });
        options.audit('bucket.created', { bucket: bucket.name, account: bucket.account, connection: bucket.connection, prefix: bucket.prefix });
      }
      return outcome;
    },

    async remove(name, account): Promise<boolean> {
      const removed = await managed.deleteClientBucket(name, account);
      // Also when nothing was removed: a cached entry may still show a bucket another process deleted.
      options.changed({ kind: 'buckets' });
      options.changed({ kind: 'grants', account });
      if (removed) options.audit('bucket.deleted', { bucket: name, account });
      return removed;
    },
  };
}
