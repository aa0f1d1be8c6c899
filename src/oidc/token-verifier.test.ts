/**
 * Inbound token verification against a real local issuer: every refusal code,
 * key rotation at the issuer, and the JWKS cache's behaviour during outages.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { OidcIssuer } from '../../test/support/oidc-issuer.ts';
import { type FetchLike } from './bounded-fetch.ts';
import { OidcError, type OidcErrorCode } from './errors.ts';
import { JwksCache } from './jwks-cache.ts';
import { type IdentityProvider, identityProviderSchema } from './provider-config.ts';
import { TokenVerifier, peekIssuer } from './token-verifier.ts';

let issuer: OidcIssuer;
let clock: Date;
let warnings: Record<string, unknown>[];
let provider: IdentityProvider;
let verifier: TokenVerifier;

const realFetch: FetchLike = (url, init) => fetch(url, init);

function makeVerifier(fetchImpl: FetchLike = realFetch) {
  const cache = new JwksCache({ fetch: fetchImpl, now: () => clock, log: { write: (event) => warnings.push(event) } });
  return new TokenVerifier([provider], cache);
}

const advance = (seconds: number) => (clock = new Date(clock.getTime() + seconds * 1000));

async function refusal(promise: Promise<unknown>): Promise<OidcErrorCode> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof OidcError, `expected an OidcError, got ${error}`);
    return error.code;
  }
  assert.fail('expected the token to be refused');
}

before(async () => {
  issuer = await OidcIssuer.start();
});
after(() => issuer.close());
beforeEach(async () => {
  clock = new Date();
  warnings = [];
  issuer.setOutage(false);
  provider = identityProviderSchema.parse({ id: 'gha', issuer: issuer.issuer, audiences: ['sluice'], local: true, claims: 'github-actions' });
  verifier = makeVerifier();
});

describe('token verification', () => {
  test('accepts a GitHub Actions token and returns its claims and audiences', async () => {
    const token = await issuer.sign(OidcIssuer.githubClaims(), { now: clock });
    const verified = await verifier.verify(token, provider, clock);
    assert.equal(verified.claims.sub, 'repo:acme/site:ref:refs/heads/main');
    assert.equal(verified.claims.repository, 'acme/site');
    assert.deepEqual(verified.audiences, ['sluice']);
    assert.equal(verified.provider.id, 'gha');
  });

  test('accepts a GitLab CI token with an array audience', async () => {
    const token = await issuer.sign(OidcIssuer.gitlabClaims({ aud: ['other', 'sluice'] }), { now: clock });
    const verified = await verifier.verify(token, provider, clock);
    assert.deepEqual(verified.audiences, ['other', 'sluice']);
    assert.equal(verified.claims.project_path, 'acme/site');
  });

  test('a token signed by a key the issuer never published: bad_signature', async () => {
    const token = await issuer.sign(OidcIssuer.githubClaims(), { now: clock, unpublishedKey: true });
    assert.equal(await refusal(verifier.verify(token, provider, clock)), 'bad_signature');
  });

  test('a token whose payload was altered after signing: bad_signature', async () => {
    const token = await issuer.sign(OidcIssuer.githubClaims(), { now: clock });
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...OidcIssuer.githubClaims({ repository: 'evil/repo' }), iss: issuer.issuer, exp: Math.floor(clock.getTime() / 1000) + 60 })).toString('base64url');
    assert.equal(await refusal(verifier.verify(`${header}.${forged}.${signature}`, provider, clock)), 'bad_signature');
  });

  test('an audience the provider is not configured for: audience_mismatch', async () => {
    const token = await issuer.sign(OidcIssuer.githubClaims({ aud: 'sts.amazonaws.com' }), { now: clock });
    assert.equal(await refusal(verifier.verify(token, provider, clock)), 'audience_mismatch');
  });

  test('expired beyond the 60 s skew: token_expired; within it: accepted', async () => {
    const expired = await issuer.sign(OidcIssuer.githubClaims(), { now: clock, expiresIn: -61, issuedAt: -600, notBefore: -600 });
    assert.equal(await refusal(verifier.verify(expired, provider, clock)), 'token_expired');
    const justExpired = await issuer.sign(OidcIssuer.githubClaims(), { now: clock, expiresIn: -30, issuedAt: -600, notBefore: -600 });
    await verifier.verify(justExpired, provider, clock);
  });

  test('nbf in the future beyond the skew: token_not_yet_valid; within it: accepted', async () => {
    const early = await issuer.sign(OidcIssuer.githubClaims(), { now: clock, notBefore: 120 });
    assert.equal(await refusal(verifier.verify(early, provider, clock)), 'token_not_yet_valid');
    const slightlyEarly = await issuer.sign(OidcIssuer.githubClaims(), { now: clock, notBefore: 30, issuedAt: 30 });
    await verifier.verify(slightlyEarly, provider, clock);
  });

  test('iat in the future beyond the skew: token_not_yet_valid', async () => {
    const token = await issuer.sign(OidcIssuer.githubClaims(), { now: clock, issuedAt: 120, notBefore: 0 });
    assert.equal(await refusal(verifier.verify(token, provider, clock)), 'token_not_yet_valid');
  });

  test('a token without exp: token_malformed', async () => {
    const token = await issuer.sign(OidcIssuer.githubClaims(), { now: clock, noExpiry: true });
    assert.equal(await refusal(verifier.verify(token, provider, clock)), 'token_malformed');
  });

  test('a symmetric (HS256) token is refused even with a matching kid', async () => {
    const now = Math.floor(clock.getTime() / 1000);
    const token = await new SignJWT({ ...OidcIssuer.githubClaims(), iss: issuer.issuer, exp: now + 60 })
      .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
      .sign(new TextEncoder().encode('a shared secret that is long enough!'));
    assert.equal(await refusal(verifier.verify(token, provider, clock)), 'token_malformed');
  });

  test('a token from another issuer presented for this provider: issuer_untrusted', async () => {
    const token = await issuer.sign(OidcIssuer.githubClaims(), { now: clock, issuer: 'https://elsewhere.example' });
    assert.equal(await refusal(verifier.verify(token, provider, clock)), 'issuer_untrusted');
  });

  test('garbage is token_malformed, both when peeking and when verifying', async () => {
    assert.equal(await refusal(Promise.resolve().then(() => peekIssuer('not-a-jwt'))), 'token_malformed');
    assert.equal(await refusal(verifier.verify('a.b.c', provider, clock)), 'token_malformed');
  });

  test('peekIssuer reads iss without fetching keys', async () => {
    const token = await issuer.sign(OidcIssuer.githubClaims(), { now: clock });
    const before = issuer.hitCount('jwks');
    assert.equal(peekIssuer(token), issuer.issuer);
    assert.equal(issuer.hitCount('jwks'), before);
    assert.equal(verifier.providerFor(issuer.issuer)?.id, 'gha');
    assert.equal(verifier.providerFor('https://unknown.example'), undefined);
  });
});

describe('the JWKS cache', () => {
  test('keys are fetched once and reused for an hour, then refetched', async () => {
    const token = await issuer.sign(OidcIssuer.githubClaims(), { now: clock, expiresIn: 7200 });
    const start = issuer.hitCount('jwks');
    await verifier.verify(token, provider, clock);
    await verifier.verify(token, provider, clock);
    assert.equal(issuer.hitCount('jwks') - start, 1);
    advance(3601);
    await verifier.verify(token, provider, clock);
    assert.equal(issuer.hitCount('jwks') - start, 2);
  });

  test('key rotation at the issuer: a token with a new kid triggers an immediate refetch', async () => {
    await verifier.verify(await issuer.sign(OidcIssuer.githubClaims(), { now: clock }), provider, clock);
    const start = issuer.hitCount('jwks');
    await issuer.rotate();
    advance(31); // the last fetch counts towards the refetch rate limit
    const token = await issuer.sign(OidcIssuer.githubClaims(), { now: clock });
    await verifier.verify(token, provider, clock);
    assert.equal(issuer.hitCount('jwks') - start, 1);
  });

  test('unknown kids refetch at most once per 30 s per issuer, counting the last fetch', async () => {
    await verifier.verify(await issuer.sign(OidcIssuer.githubClaims(), { now: clock }), provider, clock);
    advance(31);
    const start = issuer.hitCount('jwks');
    const unknownKid = await new SignJWT({ ...OidcIssuer.githubClaims(), iss: issuer.issuer, exp: Math.floor(clock.getTime() / 1000) + 60 })
      .setProtectedHeader({ alg: 'ES256', kid: 'forged' })
      .sign((await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign'])).privateKey);
    assert.equal(await refusal(verifier.verify(unknownKid, provider, clock)), 'bad_signature');
    assert.equal(await refusal(verifier.verify(unknownKid, provider, clock)), 'bad_signature');
    assert.equal(issuer.hitCount('jwks') - start, 1, 'the second unknown kid within 30 s does not refetch');
    advance(31);
    assert.equal(await refusal(verifier.verify(unknownKid, provider, clock)), 'bad_signature');
    assert.equal(issuer.hitCount('jwks') - start, 2);
  });

  test('during an outage the stale copy serves (with a warning) for up to 24 h, then jwks_unreachable', async () => {
    await verifier.verify(await issuer.sign(OidcIssuer.githubClaims(), { now: clock }), provider, clock);
    issuer.setOutage(true);
    advance(2 * 3600);
    await verifier.verify(await issuer.sign(OidcIssuer.githubClaims(), { now: clock }), provider, clock);
    assert.equal(warnings.at(-1)?.msg, 'jwks_stale');
    assert.equal(warnings.at(-1)?.level, 'warn');
    assert.equal(warnings.at(-1)?.issuer, issuer.issuer);
    advance(23 * 3600);
    const late = await issuer.sign(OidcIssuer.githubClaims(), { now: clock });
    assert.equal(await refusal(verifier.verify(late, provider, clock)), 'jwks_unreachable');
    issuer.setOutage(false);
    advance(31);
    await verifier.verify(late, provider, clock);
  });

  test('an outage with no cached copy: jwks_unreachable, asking the provider again only after 30 s', async () => {
    issuer.setOutage(true);
    const token = await issuer.sign(OidcIssuer.githubClaims(), { now: clock, expiresIn: 600 });
    const start = issuer.hitCount('discovery');
    assert.equal(await refusal(verifier.verify(token, provider, clock)), 'jwks_unreachable');
    issuer.setOutage(false);
    assert.equal(await refusal(verifier.verify(token, provider, clock)), 'jwks_unreachable');
    assert.equal(issuer.hitCount('discovery') - start, 1);
    advance(31);
    await verifier.verify(token, provider, clock);
  });

  test('a provider that is not local must be fetched over https', async () => {
    const remote = { ...provider, local: false };
    const token = await issuer.sign(OidcIssuer.githubClaims(), { now: clock });
    const error = await verifier.verify(token, remote, clock).catch((e: unknown) => e);
    assert.ok(error instanceof OidcError);
    assert.equal(error.code, 'jwks_unreachable');
    assert.match(error.detail, /https is required/);
  });

  test('a response over 256 KiB is refused, even without a content-length', async () => {
    const huge: FetchLike = async () => new Response(new ReadableStream({
      start(controller) {
        for (let i = 0; i < 300; i++) controller.enqueue(new Uint8Array(1024).fill(32));
        controller.close();
      },
    }));
    const token = await issuer.sign(OidcIssuer.githubClaims(), { now: clock });
    const error = await makeVerifier(huge).verify(token, provider, clock).catch((e: unknown) => e);
    assert.ok(error instanceof OidcError && error.code === 'jwks_unreachable');
    assert.match(error.detail, /262144-byte limit/);
  });

  test('a provider that does not answer within 3 s times out', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] });
    const hanging: FetchLike = (_url, init) => new Promise((_resolve, reject) => init.signal.addEventListener('abort', () => reject(new Error('aborted'))));
    const token = await issuer.sign(OidcIssuer.githubClaims(), { now: clock });
    const pending = makeVerifier(hanging).verify(token, provider, clock).catch((e: unknown) => e);
    await new Promise((resolve) => setImmediate(resolve));
    t.mock.timers.tick(3000);
    const error = await pending;
    assert.ok(error instanceof OidcError && error.code === 'jwks_unreachable');
    assert.match(error.detail, /timed out after 3000 ms/);
  });

  test('a discovery document naming another issuer is refused', async () => {
    const lying: FetchLike = async (url, init) => {
      if (url.endsWith('/openid-configuration')) return Response.json({ issuer: 'https://other.example', jwks_uri: `${issuer.issuer}/jwks` });
      return fetch(url, init);
    };
    const token = await issuer.sign(OidcIssuer.githubClaims(), { now: clock });
    const error = await makeVerifier(lying).verify(token, provider, clock).catch((e: unknown) => e);
    assert.ok(error instanceof OidcError && error.code === 'jwks_unreachable');
    assert.match(error.detail, /different issuer/);
  });
});

describe('identity provider configuration', () => {
  test('https issuers are required unless local, and every problem is reported', () => {
    const result = identityProviderSchema.safeParse({ id: 'Bad_Id', issuer: 'http://idp.example', audiences: [] });
    assert.equal(result.success, false);
    const paths = result.error!.issues.map((issue) => issue.path.join('.')).sort();
    assert.deepEqual(paths, ['audiences', 'id', 'issuer']);
  });

  test('defaults: not local, generic claims', () => {
    const parsed = identityProviderSchema.parse({ id: 'gha', issuer: 'https://token.actions.githubusercontent.com', audiences: ['sluice'] });
    assert.equal(parsed.local, false);
    assert.equal(parsed.claims, 'generic');
  });
});
