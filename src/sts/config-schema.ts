/**
 * The `sts` section of the configuration: identity providers, the primary
 * one (whose tokens assume accounts' `_default` roles), roles, and the keys
 * of session credentials. `checkStsConfig` runs the checks that span fields
 * and turns role definitions into roles, reporting every problem at once.
 * Messages never repeat a value: secrets and keys usually come from the
 * environment.
 */
import { z } from 'zod';
import type { AddressingMode } from '../core/config.ts';
import { identityProvidersSchema } from '../oidc/provider-config.ts';
import { BUILT_IN_PROVIDER_ID, withBuiltInProvider } from './built-in-provider.ts';
import { type Role, validateRole } from './role.ts';
import { roleUrn } from './role-ref.ts';
import type { SessionKeyringConfig } from './session-keyring.ts';

function base64Bytes(text: string): number | undefined {
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) return undefined;
  try {
    return atob(text.replace(/-/g, '+').replace(/_/g, '/')).length;
  } catch {
    return undefined;
  }
}

const hmacSecretSchema = z.strictObject({
  version: z.number().int().min(1, { error: 'must be 1 to 9' }).max(9, { error: 'must be 1 to 9' }),
  secret: z.string().superRefine((secret, ctx) => {
    const bytes = base64Bytes(secret);
    if (bytes === undefined) ctx.addIssue({ code: 'custom', message: 'must be base64' });
    else if (bytes < 32) ctx.addIssue({ code: 'custom', message: 'must be at least 32 random bytes (44 base64 characters)' });
  }),
});

const pem = (label: string) =>
  z.string().refine((text) => text.includes(`-----BEGIN ${label}-----`) && text.includes(`-----END ${label}-----`), { error: `must be a PEM "${label}"` });

const signingKeySchema = z
  .strictObject({
    kid: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'must be 1 to 64 letters, digits, dots, hyphens or underscores' }),
    privateKey: pem('PRIVATE KEY').optional(),
    publicKey: pem('PUBLIC KEY').optional(),
  })
  .refine((key) => (key.privateKey === undefined) !== (key.publicKey === undefined), { error: 'give either privateKey (signs and verifies) or publicKey (verifies only)' });

/** Without `hmacSecrets` and `signingKeys`, the keys live in the policy store (`sluice sessions rotate-secret`). */
export const sessionKeysSchema = z.strictObject({
  hmacSecrets: z.array(hmacSecretSchema).min(1, { error: 'configure at least one HMAC secret' }).optional(),
  /** Defaults to the highest version. */
  activeHmacVersion: z.number().int().min(1).max(9).optional(),
  signingKeys: z.array(signingKeySchema).min(1, { error: 'configure at least one ES256 signing key' }).optional(),
  /** Defaults to the first key with a private key. */
  activeSigningKey: z.string().optional(),
  audience: z.string().min(1).default('sluice-session'),
  issuer: z.string().min(1).default('sluice'),
});

export const stsConfigSchema = z.strictObject({
  identityProviders: identityProvidersSchema.default(() => []),
  /** The provider whose `sub` names an account, for the built-in `_default` roles. */
  primaryIdentityProvider: z.string().optional(),
  sessions: sessionKeysSchema,
  /** Role definitions, checked as a whole by `checkStsConfig` (they depend on the providers). */
  roles: z.array(z.unknown()).default(() => []),
});

export type StsConfig = z.output<typeof stsConfigSchema>;

/** The validated section as the app runs it: role definitions turned into roles. */
export type StsSettings = Omit<StsConfig, 'roles'> & { roles: Role[] };

export interface StsConfigProblem {
  /** Field path within the `sts` section, such as `roles.0.bindings.1.audience`. */
  path: string;
  message: string;
}

export interface StsConfigCheck {
  roles: Role[];
  problems: StsConfigProblem[];
}

/**
 * The checks across fields, and the roles. `accountExists` says whether a
 * role's owner is a configured account; `issuerUrl` (Sluice's own issuer,
 * when configured) adds the built-in provider `sluice` roles may bind to;
 * `policyStore` says a database policy store is configured.
 */
export function checkStsConfig(
  config: StsConfig,
  context: { addressing: AddressingMode; accountExists: (account: string) => boolean; issuerUrl?: string; policyStore?: boolean },
): StsConfigCheck {
  const problems: StsConfigProblem[] = [];
  const { sessions } = config;
  config.identityProviders.forEach((provider, i) => {
    if (provider.id === BUILT_IN_PROVIDER_ID) problems.push({ path: `identityProviders.${i}.id`, message: `"${BUILT_IN_PROVIDER_ID}" is the built-in provider of Sluice's own API keys; choose another id` });
    else if (context.issuerUrl !== undefined && provider.issuer.replace(/\/+$/, '') === context.issuerUrl) {
      problems.push({ path: `identityProviders.${i}.issuer`, message: `is Sluice's own issuer, which is built in as the provider "${BUILT_IN_PROVIDER_ID}"` });
    }
  });
  const providers = withBuiltInProvider(config.identityProviders, context.issuerUrl);
  if (config.primaryIdentityProvider !== undefined && !config.identityProviders.some((p) => p.id === config.primaryIdentityProvider)) {
    problems.push({ path: 'primaryIdentityProvider', message: 'is not a configured identity provider' });
  }
  if ((sessions.hmacSecrets === undefined) !== (sessions.signingKeys === undefined)) {
    const missing = sessions.hmacSecrets === undefined ? 'hmacSecrets' : 'signingKeys';
    problems.push({ path: `sessions.${missing}`, message: 'give both hmacSecrets and signingKeys, or neither (the keys then live in the policy store)' });
  }
  if (sessions.hmacSecrets === undefined && sessions.signingKeys === undefined) {
    if (!context.policyStore) problems.push({ path: 'sessions', message: 'without hmacSecrets and signingKeys, session keys live in the policy store: set policy.sqlitePath or policy.postgresUrl' });
    for (const field of ['activeHmacVersion', 'activeSigningKey'] as const) {
      if (sessions[field] !== undefined) problems.push({ path: `sessions.${field}`, message: 'applies to keys given here; the policy store\'s newest version is its active one' });
    }
  }
  const versions = (sessions.hmacSecrets ?? []).map((s) => s.version);
  versions.forEach((version, i) => {
    if (versions.indexOf(version) !== i) problems.push({ path: `sessions.hmacSecrets.${i}.version`, message: 'duplicate HMAC secret version' });
  });
  if (sessions.hmacSecrets !== undefined && sessions.activeHmacVersion !== undefined && !versions.includes(sessions.activeHmacVersion)) {
    problems.push({ path: 'sessions.activeHmacVersion', message: 'no HMAC secret has this version' });
  }
  const kids = (sessions.signingKeys ?? []).map((k) => k.kid);
  kids.forEach((kid, i) => {
    if (kids.indexOf(kid) !== i) problems.push({ path: `sessions.signingKeys.${i}.kid`, message: 'duplicate signing key id' });
  });
  const signers = (sessions.signingKeys ?? []).filter((k) => k.privateKey !== undefined).map((k) => k.kid);
  if (sessions.signingKeys !== undefined && signers.length === 0) problems.push({ path: 'sessions.signingKeys', message: 'at least one signing key needs a privateKey' });
  if (sessions.signingKeys !== undefined && sessions.activeSigningKey !== undefined && !signers.includes(sessions.activeSigningKey)) {
    problems.push({ path: 'sessions.activeSigningKey', message: 'is not a configured signing key with a privateKey' });
  }

  const roles: Role[] = [];
  const seen = new Set<string>();
  config.roles.forEach((definition, i) => {
    const result = validateRole(definition, { providers, addressing: context.addressing });
    if (!result.ok) {
      for (const problem of result.problems) problems.push({ path: problem.path ? `roles.${i}.${problem.path}` : `roles.${i}`, message: problem.message });
      return;
    }
    const urn = roleUrn(result.role);
    if (seen.has(urn)) problems.push({ path: `roles.${i}.name`, message: 'another role of this account has the same name' });
    if (!context.accountExists(result.role.account)) problems.push({ path: `roles.${i}.account`, message: 'is not a configured account' });
    seen.add(urn);
    roles.push(result.role);
  });
  return { roles, problems };
}

/** The session keyring's settings from the validated section; undefined when the keys live in the policy store. */
export function keyringConfig(config: StsConfig): SessionKeyringConfig | undefined {
  const { sessions } = config;
  if (sessions.hmacSecrets === undefined || sessions.signingKeys === undefined) return undefined;
  return {
    hmacSecrets: sessions.hmacSecrets,
    ...(sessions.activeHmacVersion !== undefined ? { activeHmacVersion: sessions.activeHmacVersion } : {}),
    signingKeys: sessions.signingKeys,
    ...(sessions.activeSigningKey !== undefined ? { activeSigningKid: sessions.activeSigningKey } : {}),
    audience: sessions.audience,
    issuer: sessions.issuer,
  };
}
