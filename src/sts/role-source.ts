/**
 * Where roles come from. `RoleSource` is the lookup the STS endpoint uses;
 * `StaticRoleSource` serves the roles of the configuration file. Every
 * account also has the built-in `_default` role: assumable with a token of
 * the operator's primary identity provider whose `sub` is the account's id,
 * or with one of the account's own API keys, with no ceiling beyond the
 * account's own grants.
 */
import type { IdentityProvider } from '../oidc/provider-config.ts';
import type { Role } from './role.ts';
import { DEFAULT_MAX_SESSION_SECONDS } from './role.ts';
import { DEFAULT_ROLE_NAME } from './role-ref.ts';

export interface RoleSource {
  /** The role, or null when the account has no role of that name. Throws only when the source cannot answer. */
  getRole(account: string, name: string): Promise<Role | null>;
}

/**
 * The built-in `_default` role of an account: assumable by the primary
 * provider's tokens and by the account's own API keys (the built-in provider),
 * whichever exist — in both, `sub` must be the account.
 */
export function defaultRole(account: string, primary: IdentityProvider | undefined, builtIn?: IdentityProvider): Role {
  const providers = [primary, builtIn].filter((p): p is IdentityProvider => p !== undefined);
  return {
    account,
    name: DEFAULT_ROLE_NAME,
    description: 'Built in: the account itself, signed in with the primary identity provider or one of its API keys',
    // The `sub` of the token is the account's id: only that account may assume it.
    bindings: providers.flatMap((provider) => provider.audiences.map((audience) => ({ provider: provider.id, audience, constraints: [{ claim: 'sub', operator: 'equals' as const, value: account }] }))),
    permissions: [{ actions: ['read', 'write'], resources: ['*'] }],
    ceiling: [{ bucket: '*', actions: ['read', 'write'] }],
    maxSessionDurationSeconds: DEFAULT_MAX_SESSION_SECONDS,
  };
}

export interface StaticRoleSourceOptions {
  roles: readonly Role[];
  /** The operator's primary identity provider; without it there are no `_default` roles. */
  primaryProvider?: IdentityProvider;
  /** Sluice's own issuer as a provider (API keys); `_default` roles accept the account's own keys. */
  builtInProvider?: IdentityProvider;
  /** Whether an account exists; `_default` roles exist only for accounts that do. */
  accountExists: (account: string) => boolean;
}

export class StaticRoleSource implements RoleSource {
  private readonly roles = new Map<string, Role>();

  constructor(private readonly options: StaticRoleSourceOptions) {
    for (const role of options.roles) {
      const key = `${role.account}\0${role.name}`;
      if (this.roles.has(key)) throw new TypeError(`duplicate role ${role.account}::role/${role.name}`);
      this.roles.set(key, role);
    }
  }

  async getRole(account: string, name: string): Promise<Role | null> {
    if (name === DEFAULT_ROLE_NAME) {
      const { primaryProvider, builtInProvider } = this.options;
      if (primaryProvider === undefined && builtInProvider === undefined) return null;
      return this.options.accountExists(account) ? defaultRole(account, primaryProvider, builtInProvider) : null;
    }
    return this.roles.get(`${account}\0${name}`) ?? null;
  }
}
