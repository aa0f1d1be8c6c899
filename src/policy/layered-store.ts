/**
 * The config file's definitions over a writable store: what the file defines
 * wins (it is the operator's fixed ground), everything else comes from the
 * store that management commands write to.
 */
import type { BucketConfig } from '../core/config.ts';
import type { PermissionStatement } from '../core/identity.ts';
import type { SessionRevocation } from '../sts/session-revocation.ts';
import type { AccessKeyRecord, PolicyStore } from './store.ts';

export class LayeredPolicyStore implements PolicyStore {
  constructor(private readonly fixed: PolicyStore, private readonly managed: PolicyStore) {}

  async getBucket(name: string): Promise<BucketConfig | null> {
    return (await this.fixed.getBucket(name)) ?? this.managed.getBucket(name);
  }

  async getProduct(account: string, product: string): Promise<BucketConfig | null> {
    return (await this.fixed.getProduct(account, product)) ?? this.managed.getProduct(account, product);
  }

  async listBuckets(): Promise<BucketConfig[]> {
    return merge(await this.fixed.listBuckets(), await this.managed.listBuckets());
  }

  async listProducts(account: string): Promise<BucketConfig[]> {
    return merge(await this.fixed.listProducts(account), await this.managed.listProducts(account));
  }

  /** An account's grants from both layers together. */
  async getGrants(account: string): Promise<readonly PermissionStatement[]> {
    const [fixed, managed] = await Promise.all([this.fixed.getGrants(account), this.managed.getGrants(account)]);
    return [...fixed, ...managed];
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | null> {
    return (await this.fixed.getAccessKey(accessKeyId)) ?? this.managed.getAccessKey(accessKeyId);
  }

  /** Revocations from both layers (in practice the managed store's). */
  async listSessionRevocations(now: Date): Promise<SessionRevocation[]> {
    const [fixed, managed] = await Promise.all([this.fixed.listSessionRevocations?.(now), this.managed.listSessionRevocations?.(now)]);
    return [...(fixed ?? []), ...(managed ?? [])];
  }
}

function merge(fixed: BucketConfig[], managed: BucketConfig[]): BucketConfig[] {
  const taken = new Set(fixed.map((b) => `${b.account ?? ''}/${b.name}`));
  return [...fixed, ...managed.filter((b) => !taken.has(`${b.account ?? ''}/${b.name}`))];
}
