/**
 * A read-only policy store over a remote policy API shaped like an open-data
 * platform's (docs/policy-api.md): products with their data connections,
 * account memberships and per-account permissions. Each kind of lookup has
 * its own cache, TTL and failure policy (`LookupCache`): stale answers for a
 * bounded time while the API fails, then 503 — never an allow on error.
 *
 * Products are owned by accounts (path-mapped addressing); the API holds no
 * path-style buckets, access keys or revoked sessions: those come from the
 * configuration file the store is layered under.
 */
import type { BucketConfig } from '../../core/config.ts';
import type { HttpClient } from '../../core/http.ts';
import type { PermissionStatement } from '../../core/identity.ts';
import type { AccessKeyRecord, PolicyStore } from '../store.ts';
import { PolicyApiClient } from './api-client.ts';
import { membershipStatements, membershipsDocument, permissionsDocument, productDocument, productListDocument, productToBucket, type MembershipRole } from './api-shapes.ts';
import { LookupCache, type LookupPolicy } from './lookup-cache.ts';

export interface ApiPolicyStoreOptions {
  url: string;
  http: () => HttpClient;
  authorization(account: string): Promise<string>;
  /** TTL and stale bound of each kind of lookup. */
  products: LookupPolicy;
  memberships: LookupPolicy;
  permissions: LookupPolicy;
  now: () => number;
  warn(message: string, error: unknown): void;
  timeoutMs?: number;
}

type Membership = { account: string; role: MembershipRole };

export class ApiPolicyStore implements PolicyStore {
  private readonly client: PolicyApiClient;
  private readonly product: LookupCache<BucketConfig | null>;
  private readonly products: LookupCache<BucketConfig[]>;
  private readonly memberships: LookupCache<Membership[]>;
  private readonly permissions: LookupCache<PermissionStatement[]>;

  constructor(options: ApiPolicyStoreOptions) {
    this.client = new PolicyApiClient({ url: options.url, http: options.http, authorization: (a) => options.authorization(a), ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }) });
    const shared = { now: options.now, warn: (m: string, e: unknown) => options.warn(m, e) };
    this.product = new LookupCache('product', { ...options.products, ...shared });
    this.products = new LookupCache('product list', { ...options.products, ...shared });
    this.memberships = new LookupCache('membership', { ...options.memberships, ...shared });
    this.permissions = new LookupCache('permission', { ...options.permissions, ...shared });
  }

  async getBucket(_name: string): Promise<BucketConfig | null> {
    return null;
  }

  async listBuckets(): Promise<BucketConfig[]> {
    return [];
  }

  getProduct(account: string, product: string): Promise<BucketConfig | null> {
    if (account === '' || product === '') return Promise.resolve(null);
    return this.product.get(`${account}\0${product}`, async () => {
      const document = await this.client.get(['accounts', account, 'products', product], account, productDocument);
      // A product filed under another owner or name is not this product.
      if (!document || document.account !== account || document.name !== product) return null;
      return productToBucket(document);
    });
  }

  listProducts(account: string): Promise<BucketConfig[]> {
    if (account === '') return Promise.resolve([]);
    return this.products.get(account, async () => {
      const document = await this.client.get(['accounts', account, 'products'], account, productListDocument);
      return (document?.products ?? []).filter((p) => p.account === account).map(productToBucket);
    });
  }

  /** The account's own permissions, and what its memberships give on every product of each organisation. */
  async getGrants(account: string): Promise<readonly PermissionStatement[]> {
    if (account === '') return [];
    const [own, memberships] = await Promise.all([
      this.permissions.get(account, async () => (await this.client.get(['accounts', account, 'permissions'], account, permissionsDocument))?.grants ?? []),
      this.memberships.get(account, async () => (await this.client.get(['accounts', account, 'memberships'], account, membershipsDocument))?.memberships ?? []),
    ]);
    const derived = await Promise.all(memberships.map(async (m) => membershipStatements(m.account, m.role, await this.listProducts(m.account))));
    return [...own, ...derived.flat()];
  }

  async getAccessKey(_accessKeyId: string): Promise<AccessKeyRecord | null> {
    return null;
  }
}
