import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AccountIdentityProvider } from '../oidc/account-providers.ts';
import type { FetchLike } from '../oidc/bounded-fetch.ts';
import { identityProviderSchema } from '../oidc/provider-config.ts';
import { builtInProvider } from './built-in-provider.ts';
import { type RegistrationContext, checkRegistration } from './idp-registration.ts';

const ISSUER = 'https://gitlab.campus.example';
const github = identityProviderSchema.parse({ id: 'github', issuer: 'https://token.actions.githubusercontent.com', audiences: ['sluice'] });
const JWK = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'k1' };

/** Documents by URL; every request is recorded. */
function fakeFetch(documents: Record<string, unknown>, requested: string[] = []): FetchLike {
  return async (url) => {
    requested.push(url);
    if (!(url in documents)) return new Response('{}', { status: 404 });
    return new Response(JSON.stringify(documents[url]), { status: 200, headers: { 'content-type': 'application/json' } });
  };
}

const goodIssuer = (issuer = ISSUER, jwksUri = `${issuer}/jwks`) => ({
  [`${issuer}/.well-known/openid-configuration`]: { issuer, jwks_uri: jwksUri },
  [jwksUri]: { keys: [JWK] },
});

function context(overrides: Partial<RegistrationContext> = {}): RegistrationContext {
  return {
    account: 'campus',
    shared: [github, builtInProvider('https://sluice.example')],
    existing: [],
    allowLocal: false,
    fetch: fakeFetch(goodIssuer()),
    now: new Date('2030-01-01T00:00:00Z'),
    ...overrides,
  };
}

const existing = (id: string, issuer: string): AccountIdentityProvider =>
  ({ account: 'campus', id, issuer, audiences: ['x'], claims: 'generic', local: false, createdAt: new Date(0) });

const problemsOf = async (input: unknown, ctx = context()) => {
  const result = await checkRegistration(input, ctx);
  return result.ok ? [] : result.problems.map((p) => `${p.field}: ${p.message}`);
};

describe('registering an account identity provider', () => {
  test('a valid provider whose discovery document checks out is accepted with defaults', async () => {
    const result = await checkRegistration({ id: 'campus-gitlab', issuer: ISSUER, audiences: ['sluice'], claims: 'gitlab-ci' }, context());
    assert.ok(result.ok);
    assert.deepEqual(result.provider, { id: 'campus-gitlab', issuer: ISSUER, audiences: ['sluice'], claims: 'gitlab-ci', local: false, account: 'campus', createdAt: new Date('2030-01-01T00:00:00Z') });
  });

  test('every problem of the input is reported at once, and a refused URL is never fetched', async () => {
    const requested: string[] = [];
    const problems = await problemsOf({ id: 'Bad_Id', issuer: 'http://plain.example', audiences: [], claims: 'nope', extra: 1 }, context({ fetch: fakeFetch({}, requested) }));
    assert.ok(problems.some((p) => p.startsWith('id: must be lower-case')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('issuer: must be an https URL')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('audiences: name at least one audience')), problems.join('\n'));
    assert.ok(problems.some((p) => p.startsWith('claims:')), problems.join('\n'));
    assert.ok(problems.some((p) => p.includes('extra')), problems.join('\n'));
    assert.deepEqual(requested, []);
  });

  test('a plain-http issuer needs local, and local needs a caller allowed to set it', async () => {
    const local = { id: 'test', issuer: 'http://127.0.0.1:9', audiences: ['sluice'], local: true };
    assert.deepEqual(await problemsOf(local), ['local: only an operator may register a plain-http (local) issuer']);
    const allowed = await checkRegistration({ ...local, issuer: 'http://127.0.0.1:9' }, context({ allowLocal: true, fetch: fakeFetch(goodIssuer('http://127.0.0.1:9')) }));
    assert.ok(allowed.ok);
    assert.equal(allowed.provider.local, true);
  });

  const collisions: [string, unknown, RegistrationContext, string[]][] = [
    ['the reserved id', { id: 'sluice', issuer: ISSUER, audiences: ['a'] }, context(), ['id: "sluice" is reserved for Sluice\'s own API keys']],
    ['a platform provider\'s id', { id: 'github', issuer: ISSUER, audiences: ['a'] }, context(), ['id: is the id of a platform identity provider: choose another']],
    ['a platform provider\'s issuer', { id: 'gh', issuer: github.issuer, audiences: ['a'] }, context(), ['issuer: is the issuer of the platform identity provider "github": bind roles to it instead']],
    ['Sluice\'s own issuer', { id: 'me', issuer: 'https://sluice.example', audiences: ['a'] }, context(), ['issuer: is Sluice\'s own issuer: bind roles to the built-in provider "sluice" instead']],
    ['an id the account has', { id: 'gl', issuer: ISSUER, audiences: ['a'] }, context({ existing: [existing('gl', 'https://other.example')] }), ['id: the account already has an identity provider with this id']],
    ['an issuer the account has', { id: 'gl2', issuer: ISSUER, audiences: ['a'] }, context({ existing: [existing('gl', ISSUER)] }), ['issuer: the account already registered this issuer as "gl"']],
  ];
  for (const [name, input, ctx, expected] of collisions) {
    test(`refused: ${name}`, async () => assert.deepEqual(await problemsOf(input, ctx), expected));
  }

  test('at most 20 providers per account', async () => {
    const full = Array.from({ length: 20 }, (_, i) => existing(`p${i}`, `https://p${i}.example`));
    assert.deepEqual(await problemsOf({ id: 'one-more', issuer: ISSUER, audiences: ['a'] }, context({ existing: full })), ['(body): an account may register at most 20 identity providers']);
  });

  describe('the discovery document is fetched and checked', () => {
    const input = { id: 'gl', issuer: ISSUER, audiences: ['a'] };
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['unreachable', {}, /^issuer: the discovery document could not be fetched: GET .* answered 404$/],
      ['naming another issuer', { [`${ISSUER}/.well-known/openid-configuration`]: { issuer: 'https://elsewhere.example', jwks_uri: `${ISSUER}/jwks` }, [`${ISSUER}/jwks`]: { keys: [JWK] } }, /^issuer: the discovery document names the issuer "https:\/\/elsewhere.example", not this URL$/],
      ['without jwks_uri', { [`${ISSUER}/.well-known/openid-configuration`]: { issuer: ISSUER } }, /^issuer: the discovery document has no jwks_uri$/],
      ['with a plain-http jwks_uri', goodIssuer(ISSUER, 'http://gitlab.campus.example/jwks'), /^issuer: the discovery document's jwks_uri must be an https URL$/],
      ['with no usable key', { ...goodIssuer(), [`${ISSUER}/jwks`]: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }, /^issuer: the JWK set has no RSA, EC or OKP key/],
    ];
    for (const [name, documents, expected] of cases) {
      test(`refused: ${name}`, async () => {
        const problems = await problemsOf(input, context({ fetch: fakeFetch(documents) }));
        assert.equal(problems.length, 1, problems.join('\n'));
        assert.match(problems[0]!, expected);
      });
    }

    test('a mismatched issuer and a missing jwks_uri are both reported', async () => {
      const problems = await problemsOf(input, context({ fetch: fakeFetch({ [`${ISSUER}/.well-known/openid-configuration`]: { issuer: 'https://x.example' } }) }));
      assert.equal(problems.length, 2, problems.join('\n'));
    });
  });
});
