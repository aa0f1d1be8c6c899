/**
 * Bucket resolution: the names clients use → `BucketConfig`. The gateway
 * depends on this interface only; the config file, SQLite and other policy
 * stores implement it. Lookups return `null` for "absent" and throw only for
 * failures.
 */
import type { BucketConfig } from './config.ts';

export interface ResolutionStore {
  /** A bucket by the name clients use in path or virtual-host style. */
  getBucket(name: string): Promise<BucketConfig | null>;
  /** A product in path-mapped mode. */
  getProduct(account: string, product: string): Promise<BucketConfig | null>;
  /** Every bucket, for ListBuckets (the gateway filters to what the caller may read). */
  listBuckets(): Promise<BucketConfig[]>;
  /** An account's products, for path-mapped account listings. */
  listProducts(account: string): Promise<BucketConfig[]>;
}

/** Resolution straight from the validated config: fixed for the process's life. */
export class StaticResolutionStore implements ResolutionStore {
  private readonly byName = new Map<string, BucketConfig>();
  private readonly byAccount = new Map<string, Map<string, BucketConfig>>();

  constructor(private readonly buckets: readonly BucketConfig[]) {
    for (const bucket of buckets) {
      this.byName.set(bucket.name, bucket);
      if (bucket.account !== undefined) {
        let products = this.byAccount.get(bucket.account);
        if (!products) this.byAccount.set(bucket.account, (products = new Map()));
        products.set(bucket.name, bucket);
      }
    }
  }

  async getBucket(name: string): Promise<BucketConfig | null> {
    return this.byName.get(name) ?? null;
  }

  async getProduct(account: string, product: string): Promise<BucketConfig | null> {
    return this.byAccount.get(account)?.get(product) ?? null;
  }

  async listBuckets(): Promise<BucketConfig[]> {
    return [...this.buckets];
  }

  async listProducts(account: string): Promise<BucketConfig[]> {
    return [...(this.byAccount.get(account)?.values() ?? [])];
  }
}
