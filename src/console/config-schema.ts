/**
 * The `console` section of the configuration: whether `/.console/` is served
 * and, optionally, the OpenID Connect provider people sign in with. The
 * checks that span sections (the provider is one STS trusts, the client id is
 * one of its audiences, the role exists in form) live in `checkConsoleConfig`,
 * run in the same validation pass as the rest of the document.
 */
import { z } from 'zod';
import { parseRoleRef } from '../sts/role-ref.ts';

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export const consoleOidcSchema = z.strictObject({
  /** The provider's issuer URL, exactly as one of `sts.identityProviders` names it. */
  issuer: z.string().min(1, { error: 'name the identity provider\'s issuer URL' }),
  /** The console's client id at the provider; the ID token's audience, so one of the provider's `audiences`. */
  clientId: z.string().min(1, { error: 'must not be empty' }).max(256),
  /** The role to assume (`account::role/name`); absent: the `_default` role of the account the token's `sub` names. */
  role: z.string().refine((text) => parseRoleRef(text) !== undefined, { error: 'must be a role reference such as acme::role/reader' }).optional(),
  /** Scopes asked for at sign-in; must include `openid`. */
  scopes: z
    .array(z.string().regex(SCOPE_TOKEN, { error: 'a scope is printable ASCII without spaces, quotes or backslashes' }))
    .refine((scopes) => scopes.includes('openid'), { error: 'must include "openid"' })
    .default(() => ['openid']),
});

export const consoleSchema = z.strictObject({
  /** Serve the console at `/.console/`. */
  enabled: z.boolean().default(true),
  /** Sign-in through an OpenID Connect provider; absent: anonymous browsing of public buckets only. */
  oidc: consoleOidcSchema.optional(),
});

export type ConsoleConfig = z.output<typeof consoleSchema>;
export type ConsoleOidcConfig = z.output<typeof consoleOidcSchema>;

export interface ConsoleConfigProblem {
  /** Path within the document, such as `['console', 'oidc', 'issuer']`. */
  path: (string | number)[];
  message: string;
}

interface ProviderLike {
  id?: unknown;
  issuer?: unknown;
  audiences?: unknown;
}

/**
 * The console's sign-in needs the STS endpoint to accept the provider's ID
 * tokens: every mismatch is reported at once. `document` is the raw document
 * (its `sts` section may itself have problems, which are its own to report).
 */
export function checkConsoleConfig(document: Record<string, unknown>): ConsoleConfigProblem[] {
  const parsed = consoleSchema.safeParse(document.console);
  if (document.console === undefined || !parsed.success) return [];
  const { oidc, enabled } = parsed.data;
  if (!oidc || !enabled) return [];
  const at = (...path: (string | number)[]) => ['console', 'oidc', ...path];
  const sts = document.sts as { identityProviders?: unknown; primaryIdentityProvider?: unknown } | undefined;
  if (sts === undefined || sts === null || typeof sts !== 'object') {
    return [{ path: at(), message: 'signing in to the console exchanges ID tokens at /.sts: configure the sts section too' }];
  }
  const providers = (Array.isArray(sts.identityProviders) ? sts.identityProviders : []) as ProviderLike[];
  const provider = providers.find((candidate) => candidate && candidate.issuer === oidc.issuer);
  const problems: ConsoleConfigProblem[] = [];
  if (!provider) {
    problems.push({ path: at('issuer'), message: 'must be the issuer of one of sts.identityProviders (compared exactly)' });
  } else {
    const audiences = Array.isArray(provider.audiences) ? provider.audiences : [];
    if (!audiences.includes(oidc.clientId)) {
      problems.push({ path: at('clientId'), message: `must be one of the audiences of identity provider "${String(provider.id)}": the ID token's audience is the client id` });
    }
    if (oidc.role === undefined && sts.primaryIdentityProvider !== provider.id) {
      problems.push({ path: at('role'), message: `name a role, or make "${String(provider.id)}" the sts.primaryIdentityProvider so its tokens assume the _default role of the account their sub names` });
    }
  }
  return problems;
}
