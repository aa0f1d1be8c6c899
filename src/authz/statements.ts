/**
 * Evaluating permission statements (grants and ceilings) against a request.
 */
import type { Action, PermissionStatement } from '../core/identity.ts';

export type Scope = 'object' | 'list';

/** Grants name prefixes without a trailing slash: `data/` and `data` mean the same. */
export function normalizePrefix(prefix: string): string {
  return prefix.replace(/\/+$/, '');
}

/**
 * Whether a granted prefix covers a path. For an object, the key must be the
 * prefix itself or lie under `prefix/`. For a listing, the list prefix must
 * lie under `prefix/`, so a listing never shows names outside the grant
 * (listing `data` would also show `data-private/`).
 */
export function prefixCovers(granted: string, path: string, scope: Scope): boolean {
  const base = normalizePrefix(granted);
  if (base === '') return true;
  if (scope === 'object' && path === base) return true;
  return path.startsWith(`${base}/`);
}

export function statementAllows(statement: PermissionStatement, action: Action, bucketRef: string, path: string, scope: Scope): boolean {
  if (statement.bucket !== '*' && statement.bucket !== bucketRef) return false;
  if (!statement.actions.includes(action)) return false;
  const prefixes = statement.prefixes ?? [];
  return prefixes.length === 0 || prefixes.some((prefix) => prefixCovers(prefix, path, scope));
}

export function statementsAllow(statements: readonly PermissionStatement[], action: Action, bucketRef: string, path: string, scope: Scope): boolean {
  return statements.some((statement) => statementAllows(statement, action, bucketRef, path, scope));
}

/** Whether any statement lets the holder read something in the bucket. */
export function statementsTouchBucket(statements: readonly PermissionStatement[], bucketRef: string): boolean {
  return statements.some((s) => (s.bucket === '*' || s.bucket === bucketRef) && s.actions.includes('read'));
}
