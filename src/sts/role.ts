/**
 * Roles: what an account lets identity-provider tokens do. A role has 1–10
 * bindings saying who may assume it (see `claim-match.ts`), a ceiling of
 * 1–50 permission statements, and a maximum session duration.
 *
 * `validateRole` checks a role definition as a whole (shape, names, providers,
 * audiences, resources) and reports every problem at once; the config file
 * and the SQLite store both go through it.
 */
import { z } from 'zod';
import type { AddressingMode } from '../core/config.ts';
import type { PermissionStatement } from '../core/identity.ts';
import { unknownClaimProblem } from '../oidc/claim-profiles.ts';
import type { IdentityProvider } from '../oidc/provider-config.ts';
import { CLAIM_OPERATORS, type RoleBinding } from './claim-match.ts';
import { type RoleStatement, parseResource, toPermissionStatements } from './resources.ts';
import { DEFAULT_ROLE_NAME, ROLE_NAME } from './role-ref.ts';

export const MIN_SESSION_SECONDS = 900;
export const MAX_SESSION_SECONDS = 43_200;
export const DEFAULT_MAX_SESSION_SECONDS = 3600;

export interface Role {
  account: string;
  name: string;
  description?: string;
  bindings: readonly RoleBinding[];
  /** The ceiling as written, for display. */
  permissions: readonly RoleStatement[];
  /** The ceiling as the access decision evaluates it; carried in session tokens. */
  ceiling: readonly PermissionStatement[];
  maxSessionDurationSeconds: number;
}

export interface RoleValidationContext {
  providers: readonly IdentityProvider[];
  addressing: AddressingMode;
}

export interface RoleProblem {
  /** Field path within the role definition, such as `bindings.0.audience`; "" for the whole. */
  path: string;
  message: string;
}

function roleDefinitionSchema(context: RoleValidationContext) {
  const providers = new Map(context.providers.map((p) => [p.id, p]));
  const constraint = z.strictObject({
    claim: z.string().min(1, { error: 'name a claim' }).max(256),
    operator: z.enum(CLAIM_OPERATORS, { error: `must be one of ${CLAIM_OPERATORS.join(', ')}` }),
    value: z.string().max(1024),
  });
  const binding = z
    .strictObject({
      provider: z.string(),
      audience: z.string().min(1, { error: 'name the audience tokens must carry' }),
      claims: z.array(constraint).max(20, { error: 'at most 20 claim constraints per binding' }).default(() => []),
    })
    .superRefine((b, ctx) => {
      const provider = providers.get(b.provider);
      if (!provider) ctx.addIssue({ code: 'custom', path: ['provider'], message: 'is not an identity provider of the platform or of the role\'s account' });
      else if (!provider.audiences.includes(b.audience)) {
        ctx.addIssue({ code: 'custom', path: ['audience'], message: `is not among the audiences of identity provider "${provider.id}"` });
      }
      b.claims.forEach((c, i) => {
        const problem = provider && unknownClaimProblem(provider.claims, c.claim);
        if (problem) ctx.addIssue({ code: 'custom', path: ['claims', i, 'claim'], message: problem });
      });
    });
  const statement = z.strictObject({
    actions: z.array(z.enum(['read', 'write'], { error: 'must be read or write' })).min(1, { error: 'list at least one action: read, write' }),
    resources: z
      .array(z.string().superRefine((resource, ctx) => {
        const parsed = parseResource(resource);
        if ('problem' in parsed) ctx.addIssue({ code: 'custom', message: parsed.problem });
      }))
      .min(1, { error: 'list at least one resource' }),
  });
  return z.strictObject({
    account: z.string().min(1, { error: 'name the account that owns the role' }),
    name: z.string().superRefine((name, ctx) => {
      if (name === DEFAULT_ROLE_NAME) ctx.addIssue({ code: 'custom', message: `"${DEFAULT_ROLE_NAME}" is built in and cannot be defined` });
      else if (!ROLE_NAME.test(name)) ctx.addIssue({ code: 'custom', message: 'must be 1–63 lower-case letters, digits and hyphens, starting with a letter or digit' });
    }),
    description: z.string().max(1000).optional(),
    maxSessionDuration: z
      .number()
      .int({ error: 'must be a whole number of seconds' })
      .min(MIN_SESSION_SECONDS, { error: `must be at least ${MIN_SESSION_SECONDS} seconds` })
      .max(MAX_SESSION_SECONDS, { error: `must be at most ${MAX_SESSION_SECONDS} seconds` })
      .default(DEFAULT_MAX_SESSION_SECONDS),
    bindings: z.array(binding).min(1, { error: 'name at least one identity provider binding' }).max(10, { error: 'at most 10 bindings' }),
    permissions: z.array(statement).min(1, { error: 'list at least one permission statement' }).max(50, { error: 'at most 50 permission statements' }),
  });
}

export type RoleDefinition = z.input<ReturnType<typeof roleDefinitionSchema>>;

export type RoleValidation = { ok: true; role: Role } | { ok: false; problems: RoleProblem[] };

export function validateRole(definition: unknown, context: RoleValidationContext): RoleValidation {
  const parsed = roleDefinitionSchema(context).safeParse(definition);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })) };
  }
  const d = parsed.data;
  const bindings: RoleBinding[] = d.bindings.map((b) => ({ provider: b.provider, audience: b.audience, constraints: b.claims }));
  return {
    ok: true,
    role: {
      account: d.account,
      name: d.name,
      ...(d.description !== undefined ? { description: d.description } : {}),
      bindings,
      permissions: d.permissions,
      ceiling: toPermissionStatements(d.permissions, context.addressing),
      maxSessionDurationSeconds: d.maxSessionDuration,
    },
  };
}
