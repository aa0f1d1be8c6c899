/**
 * Roles managed at run time in the policy store (`sluice roles put`), layered
 * under the configuration file's roles. The store keeps each definition as
 * written; it is validated again (`validateRole`) whenever it is read,
 * against the providers its account may use, so a provider removed from the
 * configuration (or an account's registered provider removed) disables the
 * roles that name it instead of leaving them half-valid. Reads go through a TTL cache: a change
 * made by another process shows within the policy cache TTL.
 */
import type { AddressingMode } from '../core/config.ts';
import type { LogSink } from '../core/runtime.ts';
import { TtlCache } from '../policy/ttl-cache.ts';
import { type Role, validateRole } from './role.ts';
import type { RoleSource } from './role-source.ts';
import type { ProviderDirectory } from './provider-scope.ts';

export interface StoredRoleDefinition {
  account: string;
  name: string;
  /** The definition as `validateRole` takes it. */
  definition: unknown;
  updatedAt: Date;
}

/** The roles half of a writable policy store. */
export interface RoleDefinitionStore {
  putRoleDefinition(account: string, name: string, definition: unknown): Promise<void>;
  getRoleDefinition(account: string, name: string): Promise<StoredRoleDefinition | null>;
  listRoleDefinitions(filter?: { account?: string }): Promise<StoredRoleDefinition[]>;
  /** False when there was no such role. */
  deleteRoleDefinition(account: string, name: string): Promise<boolean>;
}

export interface StoreRoleSourceOptions {
  store: Pick<RoleDefinitionStore, 'getRoleDefinition'>;
  /** The providers each account's roles may bind to: shared ones and the account's registered ones. */
  providers: ProviderDirectory;
  addressing: AddressingMode;
  ttlMs: number;
  now: () => number;
  log: LogSink;
}

export class StoreRoleSource implements RoleSource {
  private readonly cache: TtlCache<Role | null>;

  constructor(private readonly options: StoreRoleSourceOptions) {
    this.cache = new TtlCache({ ttlMs: options.ttlMs, now: options.now });
  }

  /** Forget one role (its store announced a change), so the next exchange reads it again. */
  invalidate(account: string, name: string): void {
    this.cache.invalidate(`${account}\0${name}`);
  }

  /** Forget every role (the store's change feed may have missed announcements). */
  clear(): void {
    this.cache.clear();
  }

  getRole(account: string, name: string): Promise<Role | null> {
    return this.cache.get(`${account}\0${name}`, async () => {
      const stored = await this.options.store.getRoleDefinition(account, name);
      if (!stored) return null;
      const result = validateRole(stored.definition, { providers: await this.options.providers.forAccount(account), addressing: this.options.addressing });
      if (result.ok && result.role.account === account && result.role.name === name) return result.role;
      // Fail closed: a stored role that no longer validates cannot be assumed.
      this.options.log.write({ level: 'warn', msg: 'stored role is invalid', role: `${account}::role/${name}`, problems: result.ok ? ['account or name differ from its key'] : result.problems.map((p) => `${p.path}: ${p.message}`) });
      return null;
    });
  }
}

/** Roles from the first source that has one: the configuration file's (and the built-in `_default`), then the store's. */
export class LayeredRoleSource implements RoleSource {
  constructor(private readonly sources: readonly RoleSource[]) {}

  async getRole(account: string, name: string): Promise<Role | null> {
    for (const source of this.sources) {
      const role = await source.getRole(account, name);
      if (role) return role;
    }
    return null;
  }
}
