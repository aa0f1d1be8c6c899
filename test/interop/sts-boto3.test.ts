/**
 * botocore (under boto3; the `python3` on PATH must have it) parses the STS route's
 * responses with its own parser and STS service model: the success document
 * into credentials, and error envelopes into its modelled exceptions.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { bytesBody, readAll } from '../../src/core/body.ts';
import { JwksCache } from '../../src/oidc/jwks-cache.ts';
import { identityProviderSchema } from '../../src/oidc/provider-config.ts';
import { TokenVerifier } from '../../src/oidc/token-verifier.ts';
import { validateRole } from '../../src/sts/role.ts';
import { StaticRoleSource } from '../../src/sts/role-source.ts';
import { testKeyring } from '../../src/sts/session-keyring.test-helper.ts';
import { createStsRoute } from '../../src/sts/sts-route.ts';
import { OidcIssuer } from '../support/oidc-issuer.ts';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./sts_parse.py', import.meta.url));

let issuer: OidcIssuer;
before(async () => {
  issuer = await OidcIssuer.start();
});
after(() => issuer.close());

test('botocore parses credentials and maps error codes to its exceptions', async () => {
  const provider = identityProviderSchema.parse({ id: 'github', issuer: issuer.issuer, audiences: ['sluice'], local: true, claims: 'github-actions' });
  const role = validateRole({
    account: 'acme',
    name: 'deploy',
    bindings: [{ provider: 'github', audience: 'sluice', claims: [{ claim: 'repository', operator: 'equals', value: 'acme/site' }] }],
    permissions: [{ actions: ['read'], resources: ['*'] }],
  }, { providers: [provider], addressing: 'path' });
  assert.ok(role.ok);
  const route = createStsRoute({
    roles: new StaticRoleSource({ roles: [role.role], accountExists: () => true }),
    verifier: new TokenVerifier([provider], new JwksCache({ fetch: (url, init) => fetch(url, init), now: () => new Date(), log: { write() {} } })),
    keyring: await testKeyring(),
    random: (bytes) => crypto.getRandomValues(bytes),
    audit: { write() {} },
  });
  const exchange = async (token: string) => {
    const params = new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: 'acme::role/deploy', RoleSessionName: 'boto3', WebIdentityToken: token });
    const response = await route.handle(
      { method: 'POST', rawPath: '/.sts', rawQuery: '', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: bytesBody(params.toString()), client: {} },
      { requestId: 'REQ0000000000042', now: () => new Date(), log: { write() {} } },
    );
    return { status: response.status, headers: response.headers, body: new TextDecoder().decode(await readAll(response.body!)) };
  };
  const responses = [
    await exchange(await issuer.sign(OidcIssuer.githubClaims())),
    await exchange(await issuer.sign(OidcIssuer.githubClaims({ repository: 'evil/site' }))),
    await exchange(await issuer.sign(OidcIssuer.githubClaims(), { expiresIn: -300, issuedAt: -900, notBefore: -900 })),
  ];
  const child = run('python3', [SCRIPT], { env: { PATH: process.env.PATH } });
  child.child.stdin!.end(JSON.stringify({ responses }));
  const [success, rejected, expired] = JSON.parse((await child).stdout) as { parsed: Record<string, any>; exception: string | null }[];

  const creds = success!.parsed.Credentials;
  assert.match(creds.AccessKeyId, /^SLSS/);
  assert.equal(creds.SecretAccessKey.length, 40);
  assert.ok(creds.SessionToken.length > 100);
  assert.match(creds.Expiration, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+00:00$/, 'botocore parsed a timestamp');
  assert.equal(success!.parsed.SubjectFromWebIdentityToken, 'repo:acme/site:ref:refs/heads/main');
  assert.equal(success!.parsed.AssumedRoleUser.Arn, 'arn:aws:sts::acme:assumed-role/deploy/boto3');
  assert.equal(success!.parsed.Provider, issuer.issuer);
  assert.equal(success!.parsed.Audience, 'sluice');
  assert.equal(success!.parsed.ResponseMetadata.RequestId, 'REQ0000000000042');

  assert.equal(rejected!.parsed.Error.Code, 'IDPRejectedClaim');
  assert.equal(rejected!.parsed.Error.Type, 'Sender');
  assert.equal(rejected!.exception, 'IDPRejectedClaimException');
  assert.equal(rejected!.parsed.ResponseMetadata.RequestId, 'REQ0000000000042');
  assert.equal(expired!.exception, 'ExpiredTokenException');
});
