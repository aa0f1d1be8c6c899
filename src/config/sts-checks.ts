/**
 * The `sts` section's checks across fields (duplicate key versions, the
 * active keys exist, roles as a whole, a role's account exists), run in the
 * same validation pass as the rest of the document. The section is parsed on
 * its own here, so its cross-checks report even while other sections have
 * problems; a section that does not parse is left to the schema's report.
 */
import type { AddressingMode } from '../core/config.ts';
import { type StsConfig, checkStsConfig, stsConfigSchema } from '../sts/config-schema.ts';
import type { Role } from '../sts/role.ts';
import { isPlainObject, type FieldProblem } from './problem.ts';

export interface StsCheck {
  problems: FieldProblem[];
  /** The section and its validated roles; absent when there is no section or it does not parse. */
  section?: { config: StsConfig; roles: Role[] };
}

export function checkStsSection(document: Record<string, unknown>): StsCheck {
  if (document.sts === undefined) return { problems: [] };
  const parsed = stsConfigSchema.safeParse(document.sts);
  if (!parsed.success) return { problems: [] };
  const server = isPlainObject(document.server) ? document.server : {};
  const addressing: AddressingMode = server.addressing === 'path-mapped' ? 'path-mapped' : 'path';
  const policy = isPlainObject(document.policy) ? document.policy : {};
  // With a database, accounts may live there: a role's account is checked for form only (by the role's own rules).
  const withDatabase = typeof policy.sqlitePath === 'string' || typeof policy.postgresUrl === 'string';
  const accounts = isPlainObject(document.accounts) ? document.accounts : {};
  // Sluice's own issuer, when configured, is the built-in provider of API keys.
  const issuer = isPlainObject(document.issuer) && typeof document.issuer.url === 'string' ? document.issuer.url.replace(/\/+$/, '') : undefined;
  const check = checkStsConfig(parsed.data, {
    addressing,
    accountExists: (account) => withDatabase || Object.hasOwn(accounts, account),
    policyStore: withDatabase,
    ...(issuer !== undefined && { issuerUrl: issuer }),
  });
  return {
    problems: check.problems.map((problem) => ({ path: ['sts', ...problem.path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s))], message: problem.message })),
    section: { config: parsed.data, roles: check.roles },
  };
}
