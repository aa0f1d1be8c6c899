/**
 * Account-registered identity providers: the second tier of identity
 * providers. Besides the operator's platform providers (the configuration's
 * `sts.identityProviders`), an account may register its own OIDC issuers (a
 * self-hosted GitLab, a university's IdP). Only that account's roles may bind
 * to them, and only that account's exchanges look them up.
 */
import type { IdentityProvider } from './provider-config.ts';

/** A provider as an account registered it. Its id and issuer are unique within the account. */
export interface AccountIdentityProvider extends IdentityProvider {
  account: string;
  createdAt: Date;
}

/** The identity-provider half of a writable policy store. */
export interface AccountIdentityProviderStore {
  /** Stores a new provider; throws `DuplicateIdentityProviderError` when the account has its id or issuer already. */
  addIdentityProvider(provider: AccountIdentityProvider): Promise<void>;
  /** An account's providers (all accounts' without a filter), ordered by account, then id. */
  listIdentityProviders(filter?: { account?: string }): Promise<AccountIdentityProvider[]>;
  /** False when the account has no provider with this id. */
  deleteIdentityProvider(account: string, id: string): Promise<boolean>;
}

/** The account already has a provider with this id or issuer (a concurrent registration won). */
export class DuplicateIdentityProviderError extends Error {
  override name = 'DuplicateIdentityProviderError';

  constructor(readonly account: string, readonly id: string) {
    super(`account ${account} already has an identity provider with the id "${id}" or its issuer`);
  }
}
