/**
 * The STS endpoint against real local issuers: the success document as AWS
 * returns it, every error row with its code, status and envelope, the order
 * of checks (no key fetch for an untrusted issuer), and the audit record.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { OidcIssuer } from '../../test/support/oidc-issuer.ts';
import { bytesBody, readAll } from '../core/body.ts';
import type { GatewayRequest, GatewayResponse } from '../core/http.ts';
import { JwksCache } from '../oidc/jwks-cache.ts';
import { type IdentityProvider, identityProviderSchema } from '../oidc/provider-config.ts';
import { TokenVerifier } from '../oidc/token-verifier.ts';
import { type Role, validateRole } from './role.ts';
import { type RoleSource, StaticRoleSource } from './role-source.ts';
import { SessionCredentialSource } from './session-credential-source.ts';
import type { SessionPrincipalIdentity } from './session-identity.ts';
import type { SessionKeyring } from './session-keyring.ts';
import { StoredKeyringSource } from './session-keyring-source.ts';
import { testKeyring } from './session-keyring.test-helper.ts';
import { STS_NAMESPACE } from './sts-error.ts';
import { type StsRouteDeps, createStsRoute, createStsRoutes } from './sts-route.ts';

let github: OidcIssuer;
let gitlab: OidcIssuer;
let login: OidcIssuer;
let providers: IdentityProvider[];
let keyring: SessionKeyring;
let clock: Date;
let audit: Record<string, unknown>[];
let logs: Record<string, unknown>[];
let deps: StsRouteDeps;

const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false });

function roleOf(definition: object): Role {
  const result = validateRole(definition, { providers, addressing: 'path' });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  return result.role;
}

function makeDeps(roles?: RoleSource): StsRouteDeps {
  const jwks = new JwksCache({ fetch: (url, init) => fetch(url, init), now: () => clock, log: { write: (e) => logs.push(e) } });
  return {
    roles: roles ?? new StaticRoleSource({
      roles: [
        roleOf({
          account: 'acme',
          name: 'deploy',
          maxSessionDuration: 7200,
          bindings: [
            { provider: 'github', audience: 'sluice', claims: [{ claim: 'repository', operator: 'equals', value: 'acme/site' }, { claim: 'ref', operator: 'equals', value: 'refs/heads/main' }] },
          ],
          permissions: [{ actions: ['read', 'write'], resources: ['acme::bucket/site/*'] }, { actions: ['read'], resources: ['acme::bucket/logs/ci/*'] }],
        }),
        roleOf({
          account: 'acme',
          name: 'gitlab-only',
          bindings: [{ provider: 'gitlab', audience: 'sluice', claims: [{ claim: 'project_path', operator: 'glob', value: 'acme/*' }] }],
          permissions: [{ actions: ['read'], resources: ['*'] }],
        }),
      ],
      primaryProvider: providers.find((p) => p.id === 'login'),
      accountExists: (account) => account === 'acme',
    }),
    verifier: new TokenVerifier(providers, jwks),
    keyring,
    random: (bytes) => crypto.getRandomValues(bytes),
    audit: { write: (e) => audit.push(e) },
  };
}

function request(params: Record<string, string>, options: { method?: string; query?: Record<string, string>; contentType?: string; body?: string } = {}): GatewayRequest {
  const body = options.body ?? new URLSearchParams(params).toString();
  return {
    method: options.method ?? 'POST',
    rawPath: '/.sts',
    rawQuery: new URLSearchParams(options.query ?? {}).toString(),
    headers: { 'content-type': options.contentType ?? 'application/x-www-form-urlencoded; charset=utf-8', host: 'sluice.test' },
    body: bytesBody(body),
    client: { ip: '192.0.2.7' },
  };
}

const ctx = () => ({ requestId: 'REQ0000000000001', now: () => clock, log: { write: (e: Record<string, unknown>) => logs.push(e) }, clientIp: '192.0.2.7' });

async function call(params: Record<string, string>, options: Parameters<typeof request>[1] = {}, d = deps): Promise<{ response: GatewayResponse; text: string; doc: any }> {
  const response = await createStsRoute(d).handle(request(params, options), ctx());
  const text = response.body ? new TextDecoder().decode(await readAll(response.body)) : '';
  return { response, text, doc: parser.parse(text) };
}

const assume = (token: string, extra: Record<string, string> = {}) => ({
  Action: 'AssumeRoleWithWebIdentity',
  Version: '2011-06-15',
  RoleArn: 'acme::role/deploy',
  RoleSessionName: 'run-7',
  WebIdentityToken: token,
  ...extra,
});

const githubToken = (overrides: Record<string, unknown> = {}, options: Parameters<OidcIssuer['sign']>[1] = {}) =>
  github.sign(OidcIssuer.githubClaims(overrides), { now: clock, ...options });

/** Assert an STS error document and return its message. */
function assertError(result: { response: GatewayResponse; doc: any }, status: number, code: string): string {
  assert.equal(result.response.status, status, JSON.stringify(result.doc));
  assert.equal(result.response.headers['content-type'], 'text/xml');
  assert.equal(result.response.headers['x-amzn-requestid'], 'REQ0000000000001');
  const envelope = result.doc.ErrorResponse;
  assert.equal(envelope['@_xmlns'], STS_NAMESPACE);
  assert.equal(envelope.Error.Type, status >= 500 ? 'Receiver' : 'Sender');
  assert.equal(envelope.Error.Code, code);
  assert.equal(envelope.RequestId, 'REQ0000000000001');
  return envelope.Error.Message;
}

before(async () => {
  [github, gitlab, login] = await Promise.all([OidcIssuer.start(), OidcIssuer.start({ alg: 'ES256' }), OidcIssuer.start({ alg: 'EdDSA' })]);
});
after(() => Promise.all([github.close(), gitlab.close(), login.close()]));
beforeEach(async () => {
  clock = new Date();
  audit = [];
  logs = [];
  for (const issuer of [github, gitlab, login]) issuer.setOutage(false);
  providers = [
    identityProviderSchema.parse({ id: 'github', issuer: github.issuer, audiences: ['sluice', 'other'], local: true, claims: 'github-actions' }),
    identityProviderSchema.parse({ id: 'gitlab', issuer: gitlab.issuer, audiences: ['sluice'], local: true, claims: 'gitlab-ci' }),
    identityProviderSchema.parse({ id: 'login', issuer: login.issuer, audiences: ['sluice-cli'], local: true }),
  ];
  keyring ??= await testKeyring();
  deps = makeDeps();
});

describe('AssumeRoleWithWebIdentity: success', () => {
  test('returns the AWS response document, and the credentials authenticate as the role', async () => {
    const token = await githubToken();
    const { response, doc, text } = await call(assume(token, { DurationSeconds: '1800' }));
    assert.equal(response.status, 200, text);
    assert.equal(response.headers['content-type'], 'text/xml');
    assert.match(text, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<AssumeRoleWithWebIdentityResponse xmlns="https:\/\/sts.amazonaws.com\/doc\/2011-06-15\/">/);
    const result = doc.AssumeRoleWithWebIdentityResponse.AssumeRoleWithWebIdentityResult;
    assert.equal(result.SubjectFromWebIdentityToken, 'repo:acme/site:ref:refs/heads/main');
    assert.equal(result.Audience, 'sluice');
    assert.equal(result.Provider, github.issuer);
    assert.equal(result.AssumedRoleUser.Arn, 'arn:aws:sts::acme:assumed-role/deploy/run-7');
    assert.match(result.AssumedRoleUser.AssumedRoleId, /^SLRO[A-Z2-7]{17}:run-7$/);
    assert.equal(doc.AssumeRoleWithWebIdentityResponse.ResponseMetadata.RequestId, 'REQ0000000000001');
    const creds = result.Credentials;
    assert.match(creds.AccessKeyId, /^SLSS1[A-Z2-7]{15}$/);
    assert.equal(creds.Expiration, new Date(Math.floor(clock.getTime() / 1000) * 1000 + 1800_000).toISOString().replace('.000Z', 'Z'));

    const resolved = await new SessionCredentialSource({ keyring, now: () => clock }).resolve(creds.AccessKeyId, creds.SessionToken);
    assert.equal(resolved?.secretAccessKey, creds.SecretAccessKey);
    const identity = resolved!.identity as SessionPrincipalIdentity;
    assert.equal(identity.account, 'acme');
    assert.deepEqual(identity.ceiling, [
      { bucket: 'site', actions: ['read', 'write'] },
      { bucket: 'logs', actions: ['read'], prefixes: ['ci'] },
    ]);
    assert.equal(identity.session.assumedBy, 'repo:acme/site:ref:refs/heads/main');

    assert.equal(audit.length, 1);
    const event = audit[0]!;
    assert.deepEqual(
      { ...event, time: undefined },
      {
        level: 'info', msg: 'audit', event: 'sts_exchange', time: undefined, requestId: 'REQ0000000000001', clientIp: '192.0.2.7',
        result: 'success', account: 'acme', role: 'deploy', issuer: github.issuer, assumedBy: 'repo:acme/site:ref:refs/heads/main',
        sessionName: 'run-7', accessKeyId: creds.AccessKeyId, durationSeconds: 1800, expiration: creds.Expiration,
      },
    );
    const logged = JSON.stringify(audit) + JSON.stringify(logs);
    assert.ok(!logged.includes(token) && !logged.includes(creds.SecretAccessKey) && !logged.includes(creds.SessionToken), 'no token or secret in logs');
  });

  test('parameters in the query, the AWS ARN form, and the long path', async () => {
    const routes = createStsRoutes(deps);
    assert.deepEqual(routes.map((r) => r.path), ['/.sts', '/.sts/assume-role-with-web-identity', '/.sts/']);
    const params = assume(await githubToken(), { RoleArn: 'arn:aws:iam::acme:role/deploy' });
    const response = await routes[1]!.handle(request({}, { query: params, body: '' }), ctx());
    assert.equal(response.status, 200);
  });

  test('the SDKs\' slashed path /.sts/ is served; other paths under it are refused in the STS envelope', async () => {
    const slashed = createStsRoutes(deps)[2]!;
    const ok = await slashed.handle({ ...request(assume(await githubToken())), rawPath: '/.sts/' }, ctx());
    assert.equal(ok.status, 200);
    const other = await slashed.handle({ ...request(assume(await githubToken())), rawPath: '/.sts/other' }, ctx());
    assert.equal(other.status, 404);
    assert.match(new TextDecoder().decode(await readAll(other.body!)), /<Code>InvalidAction<\/Code>/);
  });

  test('a parameter in the body wins over the same one in the query', async () => {
    const token = await githubToken();
    const { response } = await call(assume(token), { query: { RoleArn: 'acme::role/nope', RoleSessionName: 'x' } });
    assert.equal(response.status, 200);
  });

  test('the default duration is an hour', async () => {
    const { doc } = await call(assume(await githubToken()));
    const expiration = doc.AssumeRoleWithWebIdentityResponse.AssumeRoleWithWebIdentityResult.Credentials.Expiration;
    assert.equal(Date.parse(expiration) - Math.floor(clock.getTime() / 1000) * 1000, 3600_000);
  });

  test('a GitLab CI token for a role bound to GitLab with a glob', async () => {
    const token = await gitlab.sign(OidcIssuer.gitlabClaims({ project_path: 'acme/infra' }), { now: clock });
    const { response, doc } = await call(assume(token, { RoleArn: 'acme::role/gitlab-only' }));
    assert.equal(response.status, 200);
    assert.equal(doc.AssumeRoleWithWebIdentityResponse.AssumeRoleWithWebIdentityResult.SubjectFromWebIdentityToken, 'project_path:acme/infra:ref_type:branch:ref:main');
  });

  test('_default: the primary provider\'s token whose sub is the account', async () => {
    const ok = await call(assume(await login.sign({ sub: 'acme', aud: 'sluice-cli' }, { now: clock }), { RoleArn: 'acme::role/_default' }));
    assert.equal(ok.response.status, 200);
    const other = await call(assume(await login.sign({ sub: 'mallory', aud: 'sluice-cli' }, { now: clock }), { RoleArn: 'acme::role/_default' }));
    assert.doesNotMatch(assertError(other, 403, 'IDPRejectedClaim'), /acme/);
    const unknownAccount = await call(assume(await login.sign({ sub: 'ghost', aud: 'sluice-cli' }, { now: clock }), { RoleArn: 'ghost::role/_default' }));
    assertError(unknownAccount, 400, 'InvalidParameterValue');
  });
});

describe('AssumeRoleWithWebIdentity: errors', () => {
  test('malformed role name → 400 MalformedPolicyDocument', async () => {
    assertError(await call(assume(await githubToken(), { RoleArn: 'acme:role/deploy' })), 400, 'MalformedPolicyDocument');
  });

  test('unknown role → 400 InvalidParameterValue', async () => {
    assertError(await call(assume(await githubToken(), { RoleArn: 'acme::role/nope' })), 400, 'InvalidParameterValue');
  });

  test('malformed token → 400 InvalidIdentityToken', async () => {
    assertError(await call(assume('not.a-token.at-all')), 400, 'InvalidIdentityToken');
  });

  test('bad signature → 400 InvalidIdentityToken', async () => {
    assertError(await call(assume(await githubToken({}, { unpublishedKey: true }))), 400, 'InvalidIdentityToken');
  });

  test('audience the provider does not accept → 400 InvalidIdentityToken', async () => {
    const message = assertError(await call(assume(await githubToken({ aud: 'sts.amazonaws.com' }))), 400, 'InvalidIdentityToken');
    assert.equal(message, 'Incorrect token audience.');
  });

  test('issuer that is no configured provider → 400 InvalidIdentityToken, without fetching anything', async () => {
    const before = github.hitCount('discovery');
    const token = await githubToken({}, { issuer: 'https://unknown.example' });
    const message = assertError(await call(assume(token)), 400, 'InvalidIdentityToken');
    assert.equal(message, 'No OpenIDConnect provider found in your account for https://unknown.example');
    assert.equal(github.hitCount('discovery'), before);
  });

  test('issuer not bound to the role → 403 IDPRejectedClaim, before any JWKS fetch', async () => {
    const before = github.hitCount('discovery') + github.hitCount('jwks');
    assertError(await call(assume(await githubToken(), { RoleArn: 'acme::role/gitlab-only' })), 403, 'IDPRejectedClaim');
    assert.equal(github.hitCount('discovery') + github.hitCount('jwks'), before);
    assert.match(String(audit[0]!.reason), /no binding for provider "github"/);
  });

  test('unmet claim constraints → 403 IDPRejectedClaim naming the claim, never its expected value', async () => {
    const result = await call(assume(await githubToken({ ref: 'refs/heads/dev' })));
    const message = assertError(result, 403, 'IDPRejectedClaim');
    assert.match(message, /failed: ref/);
    assert.doesNotMatch(result.text, /refs\/heads\/main/);
    assert.match(String(audit[0]!.reason), /ref equals "refs\/heads\/main" \(presented "refs\/heads\/dev"\)/);
    assert.equal(audit[0]!.assumedBy, 'repo:acme/site:ref:refs/heads/dev');
  });

  test('an audience the provider accepts but the role does not bind → 403 IDPRejectedClaim', async () => {
    assertError(await call(assume(await githubToken({ aud: 'other' }))), 403, 'IDPRejectedClaim');
  });

  test('expired token → 400 ExpiredTokenException', async () => {
    const token = await githubToken({}, { expiresIn: -120, issuedAt: -900, notBefore: -900 });
    assertError(await call(assume(token)), 400, 'ExpiredTokenException');
  });

  test('JWKS unreachable with no cached copy → 400 IDPCommunicationError; a cached copy carries on', async () => {
    gitlab.setOutage(true);
    const token = await gitlab.sign(OidcIssuer.gitlabClaims(), { now: clock });
    assertError(await call(assume(token, { RoleArn: 'acme::role/gitlab-only' })), 400, 'IDPCommunicationError');
    assert.match(String(audit[0]!.reason), /503/);

    gitlab.setOutage(false);
    clock = new Date(clock.getTime() + 31_000); // a provider found down is asked again after 30 s
    assert.equal((await call(assume(token, { RoleArn: 'acme::role/gitlab-only' }))).response.status, 200);
    gitlab.setOutage(true);
    clock = new Date(clock.getTime() + 2 * 3600_000);
    const later = await gitlab.sign(OidcIssuer.gitlabClaims(), { now: clock });
    assert.equal((await call(assume(later, { RoleArn: 'acme::role/gitlab-only' }))).response.status, 200);
    assert.ok(logs.some((e) => e.msg === 'jwks_stale'));
  });

  test('DurationSeconds over the role maximum → 400 ValidationError (rejected, not clamped)', async () => {
    const message = assertError(await call(assume(await githubToken(), { DurationSeconds: '7201' })), 400, 'ValidationError');
    assert.equal(message, 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    assert.equal((await call(assume(await githubToken(), { DurationSeconds: '7200' }))).response.status, 200);
  });

  test('DurationSeconds outside 900–43200 or not a number → 400 ValidationError', async () => {
    assert.match(assertError(await call(assume(await githubToken(), { DurationSeconds: '899' })), 400, 'ValidationError'), /greater than or equal to 900/);
    assert.match(assertError(await call(assume(await githubToken(), { DurationSeconds: '43201' })), 400, 'ValidationError'), /less than or equal to 43200/);
    assertError(await call(assume(await githubToken(), { DurationSeconds: '1e4' })), 400, 'ValidationError');
  });

  test('missing members → 400 ValidationError naming each, as STS words it', async () => {
    const message = assertError(await call({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: 'acme::role/deploy' }), 400, 'ValidationError');
    assert.equal(message, "2 validation errors detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null; Value null at 'webIdentityToken' failed to satisfy constraint: Member must not be null");
  });

  test('a session name STS would refuse → 400 ValidationError; the token is never echoed', async () => {
    const token = await githubToken();
    const bad = await call(assume(token, { RoleSessionName: 'has space' }));
    assert.match(assertError(bad, 400, 'ValidationError'), /regular expression pattern/);
    assert.match(assertError(await call(assume(token, { RoleSessionName: 'x' })), 400, 'ValidationError'), /length greater than or equal to 2/);
    const tooLong = await call(assume(`${token}${'x'.repeat(20_000)}`));
    assertError(tooLong, 400, 'ValidationError');
    assert.ok(!tooLong.text.includes(token));
  });

  test('missing Action → MissingAction; missing Version → MissingParameter; other operations → InvalidAction', async () => {
    const token = await githubToken();
    const { Action: _a, ...noAction } = assume(token);
    assertError(await call(noAction), 400, 'MissingAction');
    const { Version: _v, ...noVersion } = assume(token);
    assertError(await call(noVersion), 400, 'MissingParameter');
    assert.equal(assertError(await call(assume(token, { Action: 'AssumeRole' })), 400, 'InvalidAction'), 'Could not find operation AssumeRole for version 2011-06-15');
    assertError(await call(assume(token, { Version: '2010-01-01' })), 400, 'InvalidAction');
  });

  test('session policies and ProviderId are refused, not ignored → 400 InvalidParameterValue', async () => {
    const token = await githubToken();
    assertError(await call(assume(token, { Policy: '{}' })), 400, 'InvalidParameterValue');
    assertError(await call(assume(token, { 'PolicyArns.member.1.arn': 'arn:aws:iam::aws:policy/x' })), 400, 'InvalidParameterValue');
    assertError(await call(assume(token, { ProviderId: 'graph.facebook.com' })), 400, 'InvalidParameterValue');
  });

  test('methods other than POST → 405 with Allow', async () => {
    const result = await call(assume(await githubToken()), { method: 'GET' });
    assertError(result, 405, 'InvalidAction');
    assert.equal(result.response.headers.allow, 'POST');
  });

  test('a body over 64 KiB or of another type is refused', async () => {
    assertError(await call({}, { body: `Action=${'x'.repeat(70_000)}` }), 400, 'ValidationError');
    assertError(await call({}, { body: '{"Action":"AssumeRoleWithWebIdentity"}', contentType: 'application/json' }), 400, 'InvalidParameterValue');
  });

  test('a failing role store → 500 InternalFailure (Receiver), detail only in the log', async () => {
    const broken = makeDeps({ getRole: () => Promise.reject(new Error('database is locked')) });
    const result = await call(assume(await githubToken()), {}, broken);
    const message = assertError(result, 500, 'InternalFailure');
    assert.doesNotMatch(message, /database/);
    assert.ok(logs.some((e) => e.msg === 'sts_internal_error' && String(e.error).includes('database is locked')));
    assert.match(String(audit[0]!.reason), /database is locked/);
  });

  test('session keys kept in the store, none made yet → 503 ServiceUnavailable naming the command that makes them', async () => {
    const keyless = { ...deps, keyring: new StoredKeyringSource({ store: { sessionKeys: async () => [] }, audience: 'sluice-session', issuer: 'sluice', ttlMs: 30_000, now: () => clock.getTime() }) };
    const message = assertError(await call(assume(await githubToken()), {}, keyless), 503, 'ServiceUnavailable');
    assert.match(message, /no session keys/);
    assert.match(message, /sluice sessions rotate-secret/);
    assert.equal(audit[0]!.errorCode, 'ServiceUnavailable');
    assert.ok(!logs.some((e) => e.msg === 'sts_internal_error'), 'a known state, not an internal error');
  });

  test('every failure writes exactly one audit event with its code and no token', async () => {
    const token = await githubToken({ ref: 'refs/heads/dev' });
    await call(assume(token));
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.result, 'failure');
    assert.equal(audit[0]!.errorCode, 'IDPRejectedClaim');
    assert.equal(audit[0]!.level, 'warn');
    assert.ok(!JSON.stringify(audit).includes(token));
  });
});
