/**
 * Which identity providers an account sees: the shared ones (the operator's
 * platform providers and Sluice's built-in `sluice` provider of API keys)
 * plus the providers the account registered itself — never another
 * account's. Role bindings name providers by id within this view, and an
 * exchange looks the token's issuer up within the role's account's view.
 *
 * A registered provider that collides with a shared one is left out, so a
 * binding can never mean two providers (fail closed):
 * - the same id as a shared provider (one the operator added after the
 *   account registered its own): the id is ambiguous, so both are left out
 *   of this account's view and its roles naming the id stop validating;
 * - the same issuer as a shared provider: that issuer's tokens are the
 *   shared provider's, so the registered one is left out;
 * - the reserved id `sluice`.
 * Registration refuses all three, so these arise only when the
 * configuration changes afterwards; each is reported for the log.
 */
import type { LogSink } from '../core/runtime.ts';
import type { AccountIdentityProvider, AccountIdentityProviderStore } from '../oidc/account-providers.ts';
import type { IdentityProvider } from '../oidc/provider-config.ts';
import { TtlCache } from '../policy/ttl-cache.ts';
import { BUILT_IN_PROVIDER_ID } from './built-in-provider.ts';

export interface ExcludedProvider {
  id: string;
  reason: string;
}

export interface ProviderScope {
  providers: IdentityProvider[];
  /** Registered (or shared) providers left out of the view, with why. */
  excluded: ExcludedProvider[];
}

/** The providers `account` may use: `shared` plus its own entries of `registered`, collisions left out. */
export function scopeProviders(account: string, shared: readonly IdentityProvider[], registered: readonly AccountIdentityProvider[]): ProviderScope {
  const sharedIds = new Set(shared.map((p) => p.id));
  const sharedIssuers = new Set(shared.map((p) => p.issuer));
  const ambiguous = new Set<string>();
  const excluded: ExcludedProvider[] = [];
  const own: IdentityProvider[] = [];
  const ownIds = new Set<string>();
  const ownIssuers = new Set<string>();
  for (const entry of registered) {
    if (entry.account !== account) continue;
    const { account: _account, createdAt: _createdAt, ...provider } = entry;
    if (provider.id === BUILT_IN_PROVIDER_ID) excluded.push({ id: provider.id, reason: 'the id is reserved for the built-in provider' });
    else if (sharedIds.has(provider.id)) {
      ambiguous.add(provider.id);
      excluded.push({ id: provider.id, reason: 'a platform identity provider has the same id: the id is ambiguous, so neither is used by this account' });
    } else if (sharedIssuers.has(provider.issuer)) excluded.push({ id: provider.id, reason: 'a platform identity provider has the same issuer' });
    else if (ownIds.has(provider.id) || ownIssuers.has(provider.issuer)) excluded.push({ id: provider.id, reason: 'another of the account\'s providers has the same id or issuer' });
    else {
      own.push(provider);
      ownIds.add(provider.id);
      ownIssuers.add(provider.issuer);
    }
  }
  return { providers: [...shared.filter((p) => !ambiguous.has(p.id)), ...own], excluded };
}

/** The providers an account's roles may bind to and its exchanges may accept tokens of. */
export interface ProviderDirectory {
  forAccount(account: string): Promise<readonly IdentityProvider[]>;
}

/** Shared providers only: no account has registered providers (no database store). */
export function sharedProviderDirectory(shared: readonly IdentityProvider[]): ProviderDirectory {
  return { forAccount: async () => shared };
}

export interface AccountProviderDirectoryOptions {
  shared: readonly IdentityProvider[];
  store: Pick<AccountIdentityProviderStore, 'listIdentityProviders'>;
  ttlMs: number;
  now: () => number;
  log: LogSink;
}

/**
 * Shared providers plus each account's registered ones, read from the store
 * through a TTL cache (the policy cache's TTL): a change made by another
 * process shows within the TTL, or at once when the store announces it; one
 * made in this process calls `invalidate(account)` and shows at once.
 */
export class AccountProviderDirectory implements ProviderDirectory {
  private readonly cache: TtlCache<readonly IdentityProvider[]>;

  constructor(private readonly options: AccountProviderDirectoryOptions) {
    this.cache = new TtlCache({ ttlMs: options.ttlMs, now: options.now });
  }

  forAccount(account: string): Promise<readonly IdentityProvider[]> {
    return this.cache.get(account, async () => {
      const scope = scopeProviders(account, this.options.shared, await this.options.store.listIdentityProviders({ account }));
      for (const { id, reason } of scope.excluded) {
        this.options.log.write({ level: 'warn', msg: 'account identity provider not used', account, idp: id, reason });
      }
      return scope.providers;
    });
  }

  invalidate(account: string): void {
    this.cache.invalidate(account);
  }

  /** Forget every account's providers (the store's change feed may have missed announcements). */
  clear(): void {
    this.cache.clear();
  }
}
