/**
 * Buckets created and deleted by clients (CreateBucket, DeleteBucket): the
 * interface the authorize stage and the bucket handlers use. The app
 * implements it over the configuration (which accounts may create buckets,
 * where their buckets go) and the writable policy store (where created
 * buckets live); the core never sees either.
 */
import type { BucketConfig } from './config.ts';

/** Where a new bucket goes: a configured connection and the prefix the account's template gives the name. */
export interface BucketPlacement {
  connection: string;
  /** Relative to the connection, ending in "/". */
  prefix: string;
}

/** A bucket a client created, as the registry remembers it. */
export interface CreatedBucket {
  name: string;
  /** The account that created (and owns) it. */
  account: string;
  createdAt: Date;
}

/** How a claim on a name ended: it is now the caller's, it already was, or it belongs to someone else. */
export type CreateOutcome = 'created' | 'owned' | 'taken';

export interface BucketRegistry {
  /** Where `account`'s bucket `name` would be placed; null when the account may not create buckets. */
  placement(account: string, name: string): Promise<BucketPlacement | null>;
  /** The bucket of this name created at run time; null when there is none or it was declared otherwise. */
  created(name: string): Promise<CreatedBucket | null>;
  /**
   * Claims `bucket.name` for `bucket.account`, atomically against every other
   * claim: the bucket and its owner's read and write grant are stored together.
   */
  create(bucket: BucketConfig & { account: string }): Promise<CreateOutcome>;
  /** Removes a bucket created at run time with every grant on it; false when it was gone already. */
  remove(name: string, account: string): Promise<boolean>;
}
