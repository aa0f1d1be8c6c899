/**
 * The claims well-known issuers put in their tokens, so that a role
 * constraint naming a claim the provider never issues (`repo` for
 * `repository`) is caught when the role is defined instead of silently
 * refusing every token. A provider whose tokens carry other claims uses the
 * `generic` profile, which accepts any name.
 *
 * Sources: GitHub Docs, "OpenID Connect reference" (token claims); GitLab
 * Docs, "OpenID Connect (OIDC) Authentication Using ID Tokens" (token payload).
 */
import type { ClaimProfile } from './provider-config.ts';

const REGISTERED = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'];

const KNOWN_CLAIMS: Record<Exclude<ClaimProfile, 'generic'>, ReadonlySet<string>> = {
  'github-actions': new Set([
    ...REGISTERED,
    'actor', 'actor_id', 'base_ref', 'check_run_id', 'enterprise', 'enterprise_id', 'environment', 'environment_node_id',
    'event_name', 'head_ref', 'job_workflow_ref', 'job_workflow_sha', 'ref', 'ref_protected', 'ref_type', 'repository',
    'repository_id', 'repository_owner', 'repository_owner_id', 'repository_visibility', 'run_attempt', 'run_id',
    'run_number', 'runner_environment', 'sha', 'workflow', 'workflow_ref', 'workflow_sha',
  ]),
  'gitlab-ci': new Set([
    ...REGISTERED,
    'ci_config_ref_uri', 'ci_config_sha', 'deployment_tier', 'environment', 'environment_action', 'environment_protected',
    'groups_direct', 'job_id', 'namespace_id', 'namespace_path', 'pipeline_id', 'pipeline_source', 'project_id',
    'project_path', 'project_visibility', 'ref', 'ref_path', 'ref_protected', 'ref_type', 'runner_environment', 'runner_id',
    'sha', 'user_access_level', 'user_email', 'user_id', 'user_identities', 'user_login',
  ]),
};

/** Why a constraint on this claim can never hold for the profile's tokens, or undefined. */
export function unknownClaimProblem(profile: ClaimProfile, claim: string): string | undefined {
  if (profile === 'generic' || KNOWN_CLAIMS[profile].has(claim)) return undefined;
  return `is not a claim ${profile} tokens carry; set the identity provider's claims to "generic" to constrain other claims`;
}
