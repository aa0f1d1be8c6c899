/**
 * The whole truth table of who may assume a role: operators, claim types,
 * AND within a binding, OR across bindings, providers and audiences.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BindingMatch, type ClaimConstraint, type RoleBinding, constraintHolds, evaluateBindings, globMatches, matchBindings } from './claim-match.ts';

const eq = (claim: string, value: string): ClaimConstraint => ({ claim, operator: 'equals', value });
const starts = (claim: string, value: string): ClaimConstraint => ({ claim, operator: 'starts_with', value });
const glob = (claim: string, value: string): ClaimConstraint => ({ claim, operator: 'glob', value });

const gha = {
  sub: 'repo:acme/site:ref:refs/heads/main',
  repository: 'acme/site',
  ref: 'refs/heads/main',
  run_number: 7,
  ref_protected: true,
  groups: ['admins'],
  nested: { repository: 'acme/site' },
  empty: '',
  nothing: null,
};

type ConstraintRow = [name: string, constraint: ClaimConstraint, holds: boolean];

const constraintRows: ConstraintRow[] = [
  ['equals: same string', eq('repository', 'acme/site'), true],
  ['equals: different string', eq('repository', 'acme/sites'), false],
  ['equals: is case-sensitive', eq('repository', 'ACME/site'), false],
  ['equals: a prefix is not equal', eq('repository', 'acme'), false],
  ['equals: empty claim against empty value', eq('empty', ''), true],
  ['equals: number claim compared as text', eq('run_number', '7'), true],
  ['equals: boolean claim compared as text', eq('ref_protected', 'true'), true],
  ['starts_with: proper prefix', starts('ref', 'refs/heads/'), true],
  ['starts_with: whole value', starts('ref', 'refs/heads/main'), true],
  ['starts_with: not a prefix', starts('ref', 'refs/tags/'), false],
  ['glob: * spans / and :', glob('sub', 'repo:acme/*'), true],
  ['glob: * in the middle', glob('sub', 'repo:acme/*:ref:refs/heads/main'), true],
  ['glob: ? is one character', glob('ref', 'refs/heads/mai?'), true],
  ['glob: ? is not zero characters', glob('ref', 'refs/heads/main?'), false],
  ['glob: no wildcard means the whole value', glob('repository', 'acme'), false],
  ['glob: other org', glob('sub', 'repo:other/*'), false],
  ['glob: regex metacharacters are literal', glob('repository', 'acme.site'), false],
  ['glob: lone * matches anything present', glob('repository', '*'), true],
  ['missing claim fails equals', eq('environment', 'prod'), false],
  ['missing claim fails even a lone * glob', glob('environment', '*'), false],
  ['missing claim fails an empty starts_with', starts('environment', ''), false],
  ['array claim fails', eq('groups', 'admins'), false],
  ['array claim fails a lone * glob', glob('groups', '*'), false],
  ['object claim fails', glob('nested', '*'), false],
  ['nested path is not followed', eq('nested.repository', 'acme/site'), false],
  ['null claim fails', glob('nothing', '*'), false],
  ['inherited property is not a claim', glob('toString', '*'), false],
];

for (const [name, constraint, holds] of constraintRows) {
  test(`constraint: ${name} → ${holds ? 'holds' : 'fails'}`, () => {
    assert.equal(constraintHolds(constraint, gha), holds);
  });
}

const mainBranch: RoleBinding = { provider: 'gha', audience: 'sluice', constraints: [eq('repository', 'acme/site'), eq('ref', 'refs/heads/main')] };
const anyTag: RoleBinding = { provider: 'gha', audience: 'sluice', constraints: [eq('repository', 'acme/site'), starts('ref', 'refs/tags/')] };
const gitlab: RoleBinding = { provider: 'gitlab', audience: 'sluice', constraints: [eq('project_path', 'acme/site')] };
const otherAudience: RoleBinding = { provider: 'gha', audience: 'other', constraints: [] };

type BindingRow = [name: string, bindings: RoleBinding[], token: { provider: string; audiences: string[]; claims: Record<string, unknown> }, expected: true | 'issuer_not_bound' | 'audience_not_bound' | 'claims_unmet'];

const token = (claims: Record<string, unknown> = gha, provider = 'gha', audiences = ['sluice']) => ({ provider, audiences, claims });

const bindingRows: BindingRow[] = [
  ['all constraints of the only binding hold', [mainBranch], token(), true],
  ['one of two constraints fails (AND)', [mainBranch], token({ ...gha, ref: 'refs/heads/dev' }), 'claims_unmet'],
  ['first binding fails, second holds (OR)', [anyTag, mainBranch], token(), true],
  ['no binding holds', [anyTag, mainBranch], token({ ...gha, ref: 'refs/heads/dev' }), 'claims_unmet'],
  ['a binding with no constraints admits any token of its provider and audience', [otherAudience], token(gha, 'gha', ['other']), true],
  ['provider not bound', [gitlab], token(), 'issuer_not_bound'],
  ['provider bound only for another audience', [otherAudience], token(), 'audience_not_bound'],
  ['one of several token audiences is bound', [mainBranch], token(gha, 'gha', ['x', 'sluice']), true],
  ['a token from another provider with matching claims', [mainBranch], token(gha, 'gitlab'), 'issuer_not_bound'],
  ['bindings of other providers are ignored', [gitlab, mainBranch], token(), true],
];

for (const [name, bindings, presented, expected] of bindingRows) {
  test(`bindings: ${name} → ${expected === true ? 'allow' : expected}`, () => {
    const match: BindingMatch = matchBindings(bindings, presented);
    if (expected === true) assert.equal(match.allowed, true);
    else assert.deepEqual(match.allowed ? 'allowed' : match.reason, expected);
  });
}

test('the refusal detail names claim, operator and both values, for the audit log', () => {
  const match = matchBindings([mainBranch], token({ ...gha, ref: 'refs/heads/dev' }));
  assert.equal(match.allowed, false);
  assert.equal(!match.allowed && match.detail, 'binding 0: ref equals "refs/heads/main" (presented "refs/heads/dev")');
  assert.deepEqual(!match.allowed && match.reason === 'claims_unmet' && match.failedClaims, ['ref']);
});

test('an allowed match says which binding and audience admitted the token', () => {
  assert.deepEqual(matchBindings([anyTag, mainBranch], token()), { allowed: true, binding: 1, audience: 'sluice' });
});

test('glob matching stays fast on adversarial patterns', () => {
  const started = performance.now();
  assert.equal(globMatches(`${'*a'.repeat(30)}b`, 'a'.repeat(5000)), false);
  assert.ok(performance.now() - started < 500);
});

test('evaluateBindings lists every binding\'s refusal: another provider, another audience, each failing constraint and why', () => {
  const evaluation = evaluateBindings([gitlab, otherAudience, mainBranch], token({ ...gha, ref: ['refs/heads/main'], repository: 'acme/other' }));
  assert.deepEqual(evaluation, {
    allowed: false,
    refusals: [
      { binding: 0, check: 'issuer', provider: 'gitlab' },
      { binding: 1, check: 'audience', audience: 'other' },
      { binding: 2, check: 'constraint', constraint: eq('repository', 'acme/site'), presented: 'different' },
      { binding: 2, check: 'constraint', constraint: eq('ref', 'refs/heads/main'), presented: 'not_text' },
    ],
  });
  const { ref: _ref, ...noRef } = gha;
  const missing = evaluateBindings([mainBranch], token(noRef));
  assert.deepEqual(!missing.allowed && missing.refusals.map((r) => r.check === 'constraint' && r.presented), ['missing']);
  assert.deepEqual(evaluateBindings([gitlab, anyTag, mainBranch], token()), { allowed: true, binding: 2, audience: 'sluice' });
});
