/**
 * Identity providers: the OIDC issuers whose tokens the STS endpoint accepts.
 * The schema is mounted under the root configuration; every problem is
 * reported at once, like the rest of the configuration.
 */
import { z } from 'zod';

/** Well-known token shapes; tells tooling which claims to expect. */
export const CLAIM_PROFILES = ['generic', 'github-actions', 'gitlab-ci'] as const;
export type ClaimProfile = (typeof CLAIM_PROFILES)[number];

/** A provider's id: what role bindings name it by. */
export const PROVIDER_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const PROVIDER_ID_MESSAGE = 'must be lower-case letters, digits and hyphens (at most 63), starting with a letter or digit';

/** The fields every provider has, platform or account-registered, before the issuer is checked. */
export const providerFields = {
  id: z.string().regex(PROVIDER_ID, { error: PROVIDER_ID_MESSAGE }),
  issuer: z.string(),
  audiences: z.array(z.string().min(1, { error: 'an audience must not be empty' })).min(1, { error: 'name at least one audience' }).max(20),
};

export const identityProviderSchema = z
  .object({
    ...providerFields,
    /** Allows a plain-http issuer (a local test issuer); never for production. */
    local: z.boolean().default(false),
    claims: z.enum(CLAIM_PROFILES).default('generic'),
  })
  .strict()
  .superRefine((provider, ctx) => {
    const problem = issuerProblem(provider.issuer, provider.local);
    if (problem) ctx.addIssue({ code: 'custom', path: ['issuer'], message: problem });
  });

export type IdentityProvider = z.output<typeof identityProviderSchema>;

/** A list of providers whose ids and issuers are unique. */
export const identityProvidersSchema = z.array(identityProviderSchema).superRefine((providers, ctx) => {
  const ids = new Set<string>();
  const issuers = new Set<string>();
  providers.forEach((provider, index) => {
    if (ids.has(provider.id)) ctx.addIssue({ code: 'custom', path: [index, 'id'], message: `duplicate identity provider id "${provider.id}"` });
    if (issuers.has(provider.issuer)) ctx.addIssue({ code: 'custom', path: [index, 'issuer'], message: 'another identity provider has the same issuer' });
    ids.add(provider.id);
    issuers.add(provider.issuer);
  });
});

/** Why an issuer URL cannot be used, or undefined. Issuers are compared exactly with a token's `iss`. */
export function issuerProblem(issuer: string, local: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(local && url.protocol === 'http:')) {
    return local ? 'must be an http or https URL' : 'must be an https URL (plain http only with local: true)';
  }
  if (url.search || url.hash) return 'must not have a query or fragment';
  if (url.username || url.password) return 'must not carry credentials';
  return undefined;
}

/** Where the provider publishes its discovery document (OpenID Connect Discovery 1.0, section 4). */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}
