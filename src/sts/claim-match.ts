/**
 * Who may assume a role: the decision, as pure functions.
 *
 * A role lists 1–10 bindings. A binding names an identity provider, an
 * audience, and up to 20 claim constraints; a token satisfies a binding when
 * it comes from that provider, names that audience, and meets every
 * constraint (AND). It may assume the role when it satisfies any binding (OR).
 * Constraints look at top-level claims only: a missing, array or object claim
 * fails, so a constraint can never be met by accident.
 */

export const CLAIM_OPERATORS = ['equals', 'starts_with', 'glob'] as const;
export type ClaimOperator = (typeof CLAIM_OPERATORS)[number];

export interface ClaimConstraint {
  claim: string;
  operator: ClaimOperator;
  value: string;
}

export interface RoleBinding {
  /** The identity provider's id. */
  provider: string;
  audience: string;
  constraints: readonly ClaimConstraint[];
}

export interface PresentedToken {
  /** The id of the provider whose keys verified the token. */
  provider: string;
  audiences: readonly string[];
  claims: Readonly<Record<string, unknown>>;
}

export type BindingMatch =
  | { allowed: true; binding: number; audience: string }
  | { allowed: false; reason: 'issuer_not_bound' | 'audience_not_bound'; detail: string }
  | { allowed: false; reason: 'claims_unmet'; detail: string; /** Names of the claims that failed, in any binding (never values). */ failedClaims: string[] };

/** A claim's value as constraints compare it: strings, numbers and booleans as text; anything else has none. */
export function claimText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return String(value);
  return undefined;
}

/** `*` matches any run of characters (`/` and `:` included), `?` exactly one; everything else is literal. */
export function globMatches(pattern: string, text: string): boolean {
  const p = Array.from(pattern);
  const t = Array.from(text);
  // Iterative matching with one backtrack point: linear in practice, no regex, no catastrophic cases.
  let pi = 0;
  let ti = 0;
  let starP = -1;
  let starT = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === t[ti]))) {
      pi++;
      ti++;
    } else if (pi < p.length && p[pi] === '*') {
      starP = pi++;
      starT = ti;
    } else if (starP >= 0) {
      pi = starP + 1;
      ti = ++starT;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

export function constraintHolds(constraint: ClaimConstraint, claims: Readonly<Record<string, unknown>>): boolean {
  if (!Object.hasOwn(claims, constraint.claim)) return false;
  const text = claimText(claims[constraint.claim]);
  if (text === undefined) return false;
  switch (constraint.operator) {
    case 'equals':
      return text === constraint.value;
    case 'starts_with':
      return text.startsWith(constraint.value);
    case 'glob':
      return globMatches(constraint.value, text);
  }
}

/**
 * Whether a verified token may assume a role with these bindings. On refusal,
 * `detail` is for the audit log: it names the constraints that failed with
 * their expected and presented values, which the caller is never shown.
 */
export function matchBindings(bindings: readonly RoleBinding[], token: PresentedToken): BindingMatch {
  const fromProvider = bindings.map((binding, index) => ({ binding, index })).filter(({ binding }) => binding.provider === token.provider);
  if (fromProvider.length === 0) return { allowed: false, reason: 'issuer_not_bound', detail: `no binding for provider "${token.provider}"` };
  const forAudience = fromProvider.filter(({ binding }) => token.audiences.includes(binding.audience));
  if (forAudience.length === 0) {
    return {
      allowed: false,
      reason: 'audience_not_bound',
      detail: `token audiences ${JSON.stringify(token.audiences)} include none of ${JSON.stringify(fromProvider.map(({ binding }) => binding.audience))}`,
    };
  }
  const failures: string[] = [];
  const failedClaims = new Set<string>();
  for (const { binding, index } of forAudience) {
    const failed = binding.constraints.filter((constraint) => !constraintHolds(constraint, token.claims));
    if (failed.length === 0) return { allowed: true, binding: index, audience: binding.audience };
    for (const c of failed) failedClaims.add(c.claim);
    failures.push(`binding ${index}: ${failed.map((c) => describeFailure(c, token.claims)).join(', ')}`);
  }
  return { allowed: false, reason: 'claims_unmet', detail: failures.join('; '), failedClaims: [...failedClaims] };
}

function describeFailure(constraint: ClaimConstraint, claims: Readonly<Record<string, unknown>>): string {
  const presented = Object.hasOwn(claims, constraint.claim) ? JSON.stringify(claims[constraint.claim]) : 'missing';
  return `${constraint.claim} ${constraint.operator} ${JSON.stringify(constraint.value)} (presented ${presented})`;
}
