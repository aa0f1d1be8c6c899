/**
 * Copying config-file definitions (accounts with grants, buckets, access
 * keys) into a database store: moving a setup from the file into managed
 * storage, and seeding stores in tests. Keys keep their ids and secrets.
 */
import type { AccessKeyConfig, AccountConfig, BucketConfig } from '../../core/config.ts';
import type { AccountGrant } from '../store.ts';
import type { ImportedAccessKey } from './key-input.ts';

/** What importing needs of a store: the SQLite, PostgreSQL and D1 stores all have it. */
export interface ImportTarget {
  putAccount(account: string): Promise<void>;
  putGrant(grant: AccountGrant): Promise<void>;
  putBucket(bucket: BucketConfig): Promise<void>;
  importAccessKey(input: ImportedAccessKey): Promise<unknown>;
}

export interface PolicyDefinitions {
  buckets: BucketConfig[];
  accounts?: AccountConfig[];
  accessKeys?: AccessKeyConfig[];
}

export async function importPolicyConfig(store: ImportTarget, config: PolicyDefinitions): Promise<void> {
  for (const account of config.accounts ?? []) {
    // The store holds one grant per (account, bucket); a second would silently replace the first.
    const buckets = account.grants.map((g) => g.bucket);
    const repeated = buckets.find((bucket, i) => buckets.indexOf(bucket) !== i);
    if (repeated !== undefined) throw new TypeError(`account ${account.name} has more than one grant on ${repeated}; merge them into one`);
    await store.putAccount(account.name);
    for (const grant of account.grants) await store.putGrant({ account: account.name, ...grant });
  }
  for (const bucket of config.buckets) await store.putBucket(bucket);
  for (const key of config.accessKeys ?? []) {
    await store.importAccessKey({
      accessKeyId: key.accessKeyId,
      secretAccessKey: key.secretAccessKey,
      account: key.account,
      label: key.label,
      status: key.status,
      expiresAt: key.expiresAt,
      ceiling: key.ceiling,
    });
  }
}
