/**
 * The token checks an exchange and a dry run share, and the dry run itself:
 * would this identity token be allowed to assume this role? The dry run
 * takes the exchange's own steps — the token's issuer among the providers
 * the role's account may use, the signature and time claims through the
 * verifier (and its JWKS cache), the API key record for the built-in
 * provider, the bindings' audiences and claim constraints — and reports
 * every binding's refusal instead of stopping at the first. It issues no
 * credentials and writes no exchange audit event.
 *
 * Its answer is for the role's owner: it shows the constraints' expected
 * values, never the token or the values of its claims.
 */
import type { JWTPayload } from 'jose';
import { OidcError, type OidcErrorCode } from '../oidc/errors.ts';
import type { IdentityProvider } from '../oidc/provider-config.ts';
import { type TokenVerifier, peekIssuer } from '../oidc/token-verifier.ts';
import { type ApiKeyRecordLookup, checkApiKeyExchange } from './api-key-exchange.ts';
import { BUILT_IN_PROVIDER_ID } from './built-in-provider.ts';
import { type BindingRefusal, type ClaimOperator, claimText, evaluateBindings } from './claim-match.ts';
import type { ProviderDirectory } from './provider-scope.ts';
import type { Role } from './role.ts';
import { StsError } from './sts-error.ts';

export interface TokenCheckDeps {
  verifier: TokenVerifier;
  /** The providers each account may use; absent: the verifier's providers. */
  providers?: ProviderDirectory;
  /** API key records, when Sluice's issuer is the built-in provider; absent: API keys are refused. */
  apiKeys?: ApiKeyRecordLookup;
}

/**
 * The provider with this exact issuer among those `account` may use: the
 * shared ones and its own registered ones — never another account's.
 */
export async function accountProviderFor(deps: TokenCheckDeps, account: string, issuer: string): Promise<IdentityProvider | undefined> {
  return deps.providers ? (await deps.providers.forAccount(account)).find((p) => p.issuer === issuer) : deps.verifier.providerFor(issuer);
}

/** The token's subject as the exchange records it; undefined when absent or empty (refused). */
export function tokenSubject(claims: JWTPayload): string | undefined {
  const subject = claimText(claims.sub);
  return subject === undefined || subject === '' ? undefined : subject;
}

export type TokenCheck = 'issuer' | 'audience' | 'signature' | 'expired' | 'constraint';

export interface TokenTestFailure {
  /** The index of the binding (in the role's definition) that refuses the token. */
  binding: number;
  check: TokenCheck;
  claim?: string;
  operator?: ClaimOperator;
  /** The constraint's expected value (shown to the role's owner only). */
  expected?: string;
  detail: string;
}

export type RoleTokenTest =
  | { allowed: true; binding: number; failures: [] }
  | { allowed: false; failures: TokenTestFailure[] };

const CHECK_BY_OIDC_CODE: Record<OidcErrorCode, TokenCheck> = {
  token_malformed: 'signature',
  bad_signature: 'signature',
  jwks_unreachable: 'signature',
  audience_mismatch: 'audience',
  token_expired: 'expired',
  token_not_yet_valid: 'expired',
  issuer_untrusted: 'issuer',
};

/**
 * Whether `token` may assume `role` at `now`. Throws `OidcError`
 * (`token_malformed`) when the token is not a JWT with an issuer at all.
 */
export async function testRoleToken(deps: TokenCheckDeps, role: Role, token: string, now: Date): Promise<RoleTokenTest> {
  const issuer = peekIssuer(token);
  const provider = await accountProviderFor(deps, role.account, issuer);
  const bound = provider ? role.bindings.map((b, i) => ({ b, i })).filter(({ b }) => b.provider === provider.id).map(({ i }) => i) : [];
  if (!provider || bound.length === 0) {
    const from = provider ? `identity provider "${provider.id}"` : 'an issuer that is not an identity provider of the account';
    return refused(role.bindings.map((b, i) => ({ binding: i, check: 'issuer', detail: `binding ${i} trusts identity provider "${b.provider}"; the token is from ${from} (${issuer})` })));
  }
  // The same failure holds for every binding of the token's provider.
  const forBound = (check: TokenCheck, detail: string, extra: Partial<TokenTestFailure> = {}) => refused(bound.map((binding) => ({ binding, check, ...extra, detail })));

  let claims: JWTPayload;
  let audiences: readonly string[];
  try {
    ({ claims, audiences } = await deps.verifier.verify(token, provider, now));
  } catch (error) {
    if (!(error instanceof OidcError)) throw error;
    return forBound(CHECK_BY_OIDC_CODE[error.code], `${error.message}`);
  }
  if (tokenSubject(claims) === undefined) return forBound('constraint', 'the token has no subject (sub), which every exchange needs', { claim: 'sub' });
  if (provider.id === BUILT_IN_PROVIDER_ID) {
    if (!deps.apiKeys) return forBound('signature', 'API keys are not accepted by this server');
    try {
      await checkApiKeyExchange(claims, { account: role.account, name: role.name }, deps.apiKeys, now);
    } catch (error) {
      if (!(error instanceof StsError)) throw error;
      return forBound(error.code === 'ExpiredTokenException' ? 'expired' : 'constraint', error.message);
    }
  }

  const evaluation = evaluateBindings(role.bindings, { provider: provider.id, audiences, claims });
  if (evaluation.allowed) return { allowed: true, binding: evaluation.binding, failures: [] };
  return refused(evaluation.refusals.map((refusal) => describeRefusal(refusal, provider)));
}

function refused(failures: TokenTestFailure[]): RoleTokenTest {
  return { allowed: false, failures };
}

function describeRefusal(refusal: BindingRefusal, provider: IdentityProvider): TokenTestFailure {
  const { binding } = refusal;
  switch (refusal.check) {
    case 'issuer':
      return { binding, check: 'issuer', detail: `binding ${binding} trusts identity provider "${refusal.provider}"; the token is from identity provider "${provider.id}"` };
    case 'audience':
      return { binding, check: 'audience', detail: `binding ${binding} needs the audience "${refusal.audience}", which the token does not name` };
    case 'constraint': {
      const { claim, operator, value } = refusal.constraint;
      const why = refusal.presented === 'missing'
        ? 'the token has no such claim'
        : refusal.presented === 'not_text' ? 'the token\'s value is not a string, number or boolean' : 'the token\'s value does not match';
      const verb = { equals: 'equal', starts_with: 'start with', glob: 'match the pattern' }[operator];
      return { binding, check: 'constraint', claim, operator, expected: value, detail: `claim "${claim}" must ${verb} "${value}": ${why}` };
    }
  }
}
