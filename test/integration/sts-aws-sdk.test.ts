/**
 * The AWS SDK for JavaScript's own STS client talks to the STS route: it must
 * parse our success document and error envelope unmodified. The SDK's HTTP
 * layer is replaced by a handler that calls the route in process.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AssumeRoleWithWebIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { bytesBody, readAll } from '../../src/core/body.ts';
import { JwksCache } from '../../src/oidc/jwks-cache.ts';
import { identityProviderSchema } from '../../src/oidc/provider-config.ts';
import { TokenVerifier } from '../../src/oidc/token-verifier.ts';
import { validateRole } from '../../src/sts/role.ts';
import { StaticRoleSource } from '../../src/sts/role-source.ts';
import { SessionCredentialSource } from '../../src/sts/session-credential-source.ts';
import { testKeyring } from '../../src/sts/session-keyring.test-helper.ts';
import { createStsRoute } from '../../src/sts/sts-route.ts';
import { OidcIssuer } from '../support/oidc-issuer.ts';

interface SdkHttpRequest {
  method: string;
  path: string;
  query: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

let issuer: OidcIssuer;
let client: STSClient;
let credentialSource: SessionCredentialSource;

before(async () => {
  issuer = await OidcIssuer.start();
  const provider = identityProviderSchema.parse({ id: 'github', issuer: issuer.issuer, audiences: ['sluice'], local: true });
  const role = validateRole({
    account: 'acme',
    name: 'deploy',
    bindings: [{ provider: 'github', audience: 'sluice', claims: [{ claim: 'repository', operator: 'equals', value: 'acme/site' }] }],
    permissions: [{ actions: ['read'], resources: ['*'] }],
  }, { providers: [provider], addressing: 'path' });
  assert.ok(role.ok);
  const keyring = await testKeyring();
  credentialSource = new SessionCredentialSource({ keyring, now: () => new Date() });
  const route = createStsRoute({
    roles: new StaticRoleSource({ roles: [role.role], accountExists: () => true }),
    verifier: new TokenVerifier([provider], new JwksCache({ fetch: (url, init) => fetch(url, init), now: () => new Date(), log: { write() {} } })),
    keyring,
    random: (bytes) => crypto.getRandomValues(bytes),
    audit: { write() {} },
  });
  let counter = 0;
  client = new STSClient({
    region: 'us-east-1',
    endpoint: 'https://sluice.test/.sts',
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
    maxAttempts: 1,
    requestHandler: {
      async handle(request: SdkHttpRequest) {
        const query = new URLSearchParams(Object.entries(request.query).flatMap(([k, v]) => (v === null ? [] : [[k, String(v)]]))).toString();
        const response = await route.handle({
          method: request.method,
          rawPath: request.path,
          rawQuery: query,
          headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
          body: bytesBody(request.body ?? ''),
          client: {},
        }, { requestId: `REQ${String(++counter).padStart(13, '0')}`, now: () => new Date(), log: { write() {} } });
        const body = response.body ? await readAll(response.body) : new Uint8Array();
        return { response: { statusCode: response.status, headers: response.headers, body } };
      },
    } as never,
  });
});
after(() => issuer.close());

test('the SDK parses the credentials, and they resolve back to the role', async () => {
  const token = await issuer.sign(OidcIssuer.githubClaims());
  const out = await client.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: 'acme::role/deploy', RoleSessionName: 'sdk', WebIdentityToken: token, DurationSeconds: 900 }));
  const { AccessKeyId = '', SessionToken = '', SecretAccessKey = '', Expiration } = out.Credentials ?? {};
  assert.match(AccessKeyId, /^SLSS/);
  assert.ok(Expiration instanceof Date);
  assert.equal(out.SubjectFromWebIdentityToken, 'repo:acme/site:ref:refs/heads/main');
  assert.equal(out.Audience, 'sluice');
  assert.equal(out.Provider, issuer.issuer);
  assert.equal(out.AssumedRoleUser?.Arn, 'arn:aws:sts::acme:assumed-role/deploy/sdk');
  assert.match(out.$metadata.requestId ?? '', /^REQ/);
  const resolved = await credentialSource.resolve(AccessKeyId, SessionToken);
  assert.equal(resolved?.secretAccessKey, SecretAccessKey);
});

test('the SDK turns our error envelope into its typed exceptions', async () => {
  const token = await issuer.sign(OidcIssuer.githubClaims({ repository: 'evil/site' }));
  const error = await client.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: 'acme::role/deploy', RoleSessionName: 'sdk', WebIdentityToken: token })).catch((e: unknown) => e);
  assert.ok(error instanceof STSServiceException);
  assert.equal(error.name, 'IDPRejectedClaimException');
  assert.equal(error.$metadata.httpStatusCode, 403);
  assert.equal(error.$fault, 'client');
  assert.match(error.message, /failed: repository/);

  const expired = await issuer.sign(OidcIssuer.githubClaims(), { expiresIn: -300, issuedAt: -900, notBefore: -900 });
  const expiredError = await client.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: 'acme::role/deploy', RoleSessionName: 'sdk', WebIdentityToken: expired })).catch((e: unknown) => e);
  assert.ok(expiredError instanceof STSServiceException);
  assert.equal(expiredError.name, 'ExpiredTokenException');
});
