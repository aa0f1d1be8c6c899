/**
 * Registering an account's own identity provider: the same rules as the
 * operator's platform providers (id syntax, an https issuer unless marked
 * local, 1–20 audiences, a claim profile), plus what keeps accounts apart
 * and bindings unambiguous — the id is neither reserved (`sluice`) nor a
 * platform provider's, the issuer is neither a platform provider's nor
 * Sluice's own, and both are unique within the account. A plain-http
 * (`local`) issuer is allowed only when the caller may decide that (an
 * operator), as only the operator's configuration may for platform
 * providers. When the issuer itself is acceptable its discovery document
 * and JWK set are fetched and checked. Every problem is reported at once;
 * the management API and `sluice idps add` both go through here.
 */
import { z } from 'zod';
import type { AccountIdentityProvider, AccountIdentityProviderStore } from '../oidc/account-providers.ts';
import type { FetchLike } from '../oidc/bounded-fetch.ts';
import { discoveryProblems } from '../oidc/discovery-check.ts';
import { CLAIM_PROFILES, type IdentityProvider, issuerProblem, providerFields } from '../oidc/provider-config.ts';
import { BUILT_IN_PROVIDER_ID } from './built-in-provider.ts';

/** How many providers one account may register. */
export const MAX_ACCOUNT_PROVIDERS = 20;

export const newIdentityProviderSchema = z.strictObject({
  ...providerFields,
  claims: z.enum(CLAIM_PROFILES).default('generic'),
  /** A plain-http issuer (a local test issuer); only where the caller may allow it. */
  local: z.boolean().default(false),
});

export type NewIdentityProvider = z.input<typeof newIdentityProviderSchema>;

export interface RegistrationProblem {
  field: string;
  message: string;
}

export interface RegistrationContext {
  account: string;
  /** The platform providers and the built-in one (`withBuiltInProvider`). */
  shared: readonly IdentityProvider[];
  /** The providers the account has registered already. */
  existing: readonly AccountIdentityProvider[];
  /** Whether a `local` (plain-http) issuer may be registered by this caller. */
  allowLocal: boolean;
  fetch: FetchLike;
  now: Date;
  /** Time limit for each discovery fetch; default 5 s. */
  timeoutMs?: number;
}

export type RegistrationCheck = { ok: true; provider: AccountIdentityProvider } | { ok: false; problems: RegistrationProblem[] };

export async function checkRegistration(input: unknown, context: RegistrationContext): Promise<RegistrationCheck> {
  const problems: RegistrationProblem[] = [];
  const given = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : undefined;
  if (!given) return { ok: false, problems: [{ field: '(body)', message: 'must be an object' }] };
  const parsed = newIdentityProviderSchema.safeParse(given);
  if (!parsed.success) problems.push(...parsed.error.issues.map((issue) => ({ field: issue.path.join('.') || '(body)', message: issue.message })));
  const id = typeof given.id === 'string' ? given.id : undefined;
  const issuer = typeof given.issuer === 'string' ? given.issuer : undefined;
  const local = given.local === true;
  if (local && !context.allowLocal) problems.push({ field: 'local', message: 'only an operator may register a plain-http (local) issuer' });
  if (id !== undefined) problems.push(...idProblems(id, context).map((message) => ({ field: 'id', message })));
  let issuerOk = false;
  if (issuer !== undefined) {
    const found = [issuerProblem(issuer, local), ...issuerConflicts(issuer, context)].filter((p): p is string => p !== undefined);
    problems.push(...found.map((message) => ({ field: 'issuer', message })));
    issuerOk = found.length === 0;
  }
  if (context.existing.length >= MAX_ACCOUNT_PROVIDERS) {
    problems.push({ field: '(body)', message: `an account may register at most ${MAX_ACCOUNT_PROVIDERS} identity providers` });
  }
  // The provider is asked only once its URL is one we would trust, so a refused URL is never fetched.
  if (issuer !== undefined && issuerOk && !(local && !context.allowLocal)) {
    const found = await discoveryProblems({ issuer, local }, { fetch: context.fetch, ...(context.timeoutMs !== undefined && { timeoutMs: context.timeoutMs }) });
    problems.push(...found.map((message) => ({ field: 'issuer', message })));
  }
  if (problems.length > 0 || !parsed.success) return { ok: false, problems };
  return { ok: true, provider: { ...parsed.data, account: context.account, createdAt: context.now } };
}

function idProblems(id: string, context: RegistrationContext): string[] {
  if (id === BUILT_IN_PROVIDER_ID) return [`"${BUILT_IN_PROVIDER_ID}" is reserved for Sluice's own API keys`];
  if (context.shared.some((p) => p.id === id)) return ['is the id of a platform identity provider: choose another'];
  if (context.existing.some((p) => p.id === id)) return ['the account already has an identity provider with this id'];
  return [];
}

function issuerConflicts(issuer: string, context: RegistrationContext): string[] {
  const shared = context.shared.find((p) => p.issuer === issuer);
  if (shared?.id === BUILT_IN_PROVIDER_ID) return ['is Sluice\'s own issuer: bind roles to the built-in provider "sluice" instead'];
  if (shared) return [`is the issuer of the platform identity provider "${shared.id}": bind roles to it instead`];
  const own = context.existing.find((p) => p.issuer === issuer);
  if (own) return [`the account already registered this issuer as "${own.id}"`];
  return [];
}

/** Checks and stores; the stored provider on success. Throws `DuplicateIdentityProviderError` when a concurrent registration won. */
export async function registerIdentityProvider(
  store: Pick<AccountIdentityProviderStore, 'addIdentityProvider' | 'listIdentityProviders'>,
  input: unknown,
  context: Omit<RegistrationContext, 'existing'>,
): Promise<RegistrationCheck> {
  const existing = await store.listIdentityProviders({ account: context.account });
  const checked = await checkRegistration(input, { ...context, existing });
  if (checked.ok) await store.addIdentityProvider(checked.provider);
  return checked;
}

/** A registered provider as the management API and `sluice idps list --json` show it. */
export function identityProviderToJson(provider: AccountIdentityProvider): Record<string, unknown> {
  return {
    id: provider.id,
    account: provider.account,
    issuer: provider.issuer,
    audiences: [...provider.audiences],
    claims: provider.claims,
    local: provider.local,
    createdAt: provider.createdAt.toISOString(),
  };
}
