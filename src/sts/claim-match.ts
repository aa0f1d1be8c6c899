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

/** Why one binding does not accept a token: the first check it fails, in the order the exchange checks them. */
export type BindingRefusal =
  | { binding: number; check: 'issuer'; provider: string }
  | { binding: number; check: 'audience'; audience: string }
  | { binding: number; check: 'constraint'; constraint: ClaimConstraint; presented: 'missing' | 'not_text' | 'different' };

export type BindingEvaluation =
  | { allowed: true; binding: number; audience: string }
  | { allowed: false; refusals: BindingRefusal[] };

/**
 * Each binding's verdict on a verified token: the first binding (in order)
 * that accepts it, or every binding's refusal — for a binding of the token's
 * provider and audience, every constraint it fails. The one evaluation both
 * the exchange and the management API's dry run use.
 */
export function evaluateBindings(bindings: readonly RoleBinding[], token: PresentedToken): BindingEvaluation {
  const refusals: BindingRefusal[] = [];
  for (const [index, binding] of bindings.entries()) {
    if (binding.provider !== token.provider) {
      refusals.push({ binding: index, check: 'issuer', provider: binding.provider });
      continue;
    }
    if (!token.audiences.includes(binding.audience)) {
      refusals.push({ binding: index, check: 'audience', audience: binding.audience });
      continue;
    }
    const failed = binding.constraints.filter((constraint) => !constraintHolds(constraint, token.claims));
    if (failed.length === 0) return { allowed: true, binding: index, audience: binding.audience };
    for (const constraint of failed) refusals.push({ binding: index, check: 'constraint', constraint, presented: presentedState(constraint, token.claims) });
  }
  return { allowed: false, refusals };
}

function presentedState(constraint: ClaimConstraint, claims: Readonly<Record<string, unknown>>): 'missing' | 'not_text' | 'different' {
  if (!Object.hasOwn(claims, constraint.claim)) return 'missing';
  return claimText(claims[constraint.claim]) === undefined ? 'not_text' : 'different';
}

/**
 * Whether a verified token may assume a role with these bindings. On refusal,
 * `detail` is for the audit log: it names the constraints that failed with
 * their expected and presented values, which the caller is never shown.
 */
export function matchBindings(bindings: readonly RoleBinding[], token: PresentedToken): BindingMatch {
  const evaluation = evaluateBindings(bindings, token);
  if (evaluation.allowed) return evaluation;
  const { refusals } = evaluation;
  const audienceRefusals = refusals.filter((r) => r.check === 'audience');
  const constraintRefusals = refusals.filter((r) => r.check === 'constraint');
  if (audienceRefusals.length === 0 && constraintRefusals.length === 0) {
    return { allowed: false, reason: 'issuer_not_bound', detail: `no binding for provider "${token.provider}"` };
  }
  if (constraintRefusals.length === 0) {
    return {
      allowed: false,
      reason: 'audience_not_bound',
      detail: `token audiences ${JSON.stringify(token.audiences)} include none of ${JSON.stringify(audienceRefusals.map((r) => r.audience))}`,
    };
  }
  const byBinding = new Map<number, string[]>();
  for (const r of constraintRefusals) byBinding.set(r.binding, [...(byBinding.get(r.binding) ?? []), describeFailure(r.constraint, token.claims)]);
  const detail = [...byBinding].map(([index, failed]) => `binding ${index}: ${failed.join(', ')}`).join('; ');
  return { allowed: false, reason: 'claims_unmet', detail, failedClaims: [...new Set(constraintRefusals.map((r) => r.constraint.claim))] };
}

function describeFailure(constraint: ClaimConstraint, claims: Readonly<Record<string, unknown>>): string {
  const presented = Object.hasOwn(claims, constraint.claim) ? JSON.stringify(claims[constraint.claim]) : 'missing';
  return `${constraint.claim} ${constraint.operator} ${JSON.stringify(constraint.value)} (presented ${presented})`;
}
