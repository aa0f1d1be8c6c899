/**
 * The read-only policy store made from the config file: its buckets,
 * accounts with their grants, and access keys.
 */
import type { AccessKeyConfig, AccountConfig, SluiceConfig } from '../core/config.ts';
import type { PermissionStatement } from '../core/identity.ts';
import { StaticResolutionStore } from '../core/resolution-store.ts';
import type { AccessKeyRecord, PolicyStore } from './store.ts';

export class ConfigPolicyStore extends StaticResolutionStore implements PolicyStore {
  private readonly grants = new Map<string, PermissionStatement[]>();
  private readonly keys = new Map<string, AccessKeyRecord>();

  constructor(config: Pick<SluiceConfig, 'buckets' | 'accounts' | 'accessKeys'>, loadedAt = new Date()) {
    super(config.buckets);
    for (const account of config.accounts) this.grants.set(account.name, account.grants);
    for (const key of config.accessKeys) this.keys.set(key.accessKeyId, toRecord(key, loadedAt));
  }

  async getGrants(account: string): Promise<readonly PermissionStatement[]> {
    return this.grants.get(account) ?? [];
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | null> {
    return this.keys.get(accessKeyId) ?? null;
  }

  /** The accounts the file defines (for management listings). */
  accounts(): AccountConfig[] {
    return [...this.grants].map(([name, grants]) => ({ name, grants }));
  }
}

function toRecord(key: AccessKeyConfig, loadedAt: Date): AccessKeyRecord {
  return {
    accessKeyId: key.accessKeyId,
    secretAccessKey: key.secretAccessKey,
    account: key.account,
    label: key.label,
    status: key.status,
    createdAt: loadedAt,
    expiresAt: key.expiresAt,
    ceiling: key.ceiling,
  };
}
