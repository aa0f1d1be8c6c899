/**
 * A role's ceiling as written (`actions` on `resources`) and its conversion
 * to the `PermissionStatement`s the access decision evaluates.
 *
 * A resource is `*` (every bucket) or `{account}::bucket/{name}` followed by
 * an optional key prefix: `/` or `/*` for the whole bucket, `/{prefix}` or
 * `/{prefix}/*` for the keys under a prefix. Prefixes are whole path segments,
 * as in grants: `data/*` covers `data/…`, never `data-private/…`; a `*`
 * anywhere else is refused rather than silently narrowed.
 */
import type { AddressingMode } from '../core/config.ts';
import type { Action, PermissionStatement } from '../core/identity.ts';
import { bucketNameProblem } from '../config/rules.ts';

export interface RoleStatement {
  actions: readonly Action[];
  resources: readonly string[];
}

export type ParsedResource = { kind: 'any' } | { kind: 'bucket'; account: string; bucket: string; prefix: string };

/** The resource, or a problem message (which never repeats the value). */
export function parseResource(resource: string): ParsedResource | { problem: string } {
  if (resource === '*') return { kind: 'any' };
  const match = /^([^:/]+)::bucket\/([^/]+)(?:\/(.*))?$/.exec(resource);
  if (!match) return { problem: 'must be "*" or "{account}::bucket/{name}[/{prefix}][/*]"' };
  const [, account, bucket, rest = ''] = match as unknown as [string, string, string, string | undefined];
  const nameProblem = bucketNameProblem(bucket);
  if (nameProblem) return { problem: `bucket name ${nameProblem}` };
  const prefix = rest === '*' ? '' : rest.replace(/\/\*$/, '').replace(/\/+$/, '');
  if (prefix.includes('*')) return { problem: 'a "*" may only end a resource, after a "/" (prefixes are whole path segments)' };
  if (prefix !== '' && prefix.split('/').includes('')) return { problem: 'the prefix must not contain empty path segments' };
  return { kind: 'bucket', account, bucket, prefix };
}

/**
 * The name grants use for a bucket, as `bucketRef` in `authz/grant-policy.ts`
 * computes it. Outside path-mapped mode bucket names are global, so the
 * account part only documents intent; the ceiling is intersected with the
 * account's grants either way, so it can never widen access.
 */
function bucketRefFor(account: string, bucket: string, mode: AddressingMode): string {
  return mode === 'path-mapped' ? `${account}/${bucket}` : bucket;
}

/**
 * One `PermissionStatement` per resource. Call only with statements whose
 * resources parsed (the role validation guarantees it); others throw.
 */
export function toPermissionStatements(statements: readonly RoleStatement[], mode: AddressingMode): PermissionStatement[] {
  const out: PermissionStatement[] = [];
  for (const statement of statements) {
    const actions = [...new Set(statement.actions)];
    for (const resource of statement.resources) {
      const parsed = parseResource(resource);
      if ('problem' in parsed) throw new TypeError(`unvalidated role resource: ${parsed.problem}`);
      if (parsed.kind === 'any') out.push({ bucket: '*', actions });
      else out.push({ bucket: bucketRefFor(parsed.account, parsed.bucket, mode), actions, ...(parsed.prefix ? { prefixes: [parsed.prefix] } : {}) });
    }
  }
  return out;
}
