/**
 * Federated identity end to end against a running server: a GitHub-Actions
 * shaped token from a local issuer, exchanged by the AWS SDK's own
 * `STSClient` at `/.sts`, gives credentials an `S3Client` uses for exactly
 * the role's ceiling ∩ the account's live grants. The configuration goes
 * through the same validation as a file; grants live in the SQLite store so
 * one can be removed from outside the server.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { AssumeRoleWithWebIdentityCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { MemoryBackend } from '../../src/backends/memory/memory-backend.ts';
import { validateConfig } from '../../src/config/validate.ts';
import { bytesBody } from '../../src/core/body.ts';
import type { SluiceConfig } from '../../src/core/config.ts';
import { SqlitePolicyStore } from '../../src/policy/sqlite/sqlite-store.ts';
import { nodeBackends } from '../../src/runtimes/node/backend-registry.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { mintSessionCredentials } from '../../src/sts/mint-session.ts';
import { SessionKeyring } from '../../src/sts/session-keyring.ts';
import { newRevocation } from '../../src/sts/session-revocation.ts';
import { es256Pem, randomHmacSecret } from '../../src/sts/session-keyring.test-helper.ts';
import { OidcIssuer } from '../support/oidc-issuer.ts';
import { signedClient } from '../support/s3-client.ts';

const CACHE_TTL_SECONDS = 1;
const masterKey = new Uint8Array(32).fill(7);
let dir: string;
let sqlitePath: string;
let issuer: OidcIssuer;
let server: RunningServer;
let sts: STSClient;
let config: SluiceConfig;
const events: Record<string, unknown>[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-sts-e2e-'));
  sqlitePath = join(dir, 'policy.db');
  const seed = await SqlitePolicyStore.open(sqlitePath, { masterKey });
  await seed.putAccount('acme');
  await seed.putGrant({ account: 'acme', bucket: 'data', actions: ['read', 'write'] });
  await seed.putGrant({ account: 'acme', bucket: 'other', actions: ['read'] });
  await seed.close();

  issuer = await OidcIssuer.start();
  const env = { HMAC_SECRET: randomHmacSecret(), SIGNING_KEY: (await es256Pem()).privateKey };
  config = validateConfig({
    server: { listen: '127.0.0.1:0', accessLog: true },
    metrics: {},
    connections: { main: { type: 'memory' } },
    buckets: { data: { connection: 'main', prefix: 'data/' }, other: { connection: 'main', prefix: 'other/' } },
    policy: { sqlitePath, masterKey: btoa(String.fromCharCode(...masterKey)), cacheTtlSeconds: CACHE_TTL_SECONDS },
    sts: {
      identityProviders: [{ id: 'github', issuer: issuer.issuer, audiences: ['sluice'], local: true, claims: 'github-actions' }],
      sessions: { hmacSecrets: [{ version: 1, secret: '${env:HMAC_SECRET}' }], signingKeys: [{ kid: 's1', privateKey: '${env:SIGNING_KEY}' }] },
      roles: [
        {
          account: 'acme',
          name: 'reports',
          bindings: [{ provider: 'github', audience: 'sluice', claims: [{ claim: 'sub', operator: 'starts_with', value: 'repo:acme/' }] }],
          // Reads under data/reports only; writes nowhere, although the account may write to data.
          permissions: [{ actions: ['read'], resources: ['acme::bucket/data/reports/*', 'acme::bucket/other/*'] }],
        },
      ],
    },
  }, { source: 'test', baseDir: dir, env, backends: nodeBackends });

  const backend = new MemoryBackend({ readOnly: false });
  for (const key of ['data/reports/q1.csv', 'data/reports/q2.csv', 'data/raw/secret.csv', 'other/readme.txt']) {
    await backend.put(key, bytesBody(`content of ${key}`), { metadata: {} });
  }
  server = await startServer(config, { backends: new Map([['main', backend]]), log: { write: (event) => void events.push(event) } });
  sts = new STSClient({ region: 'us-east-1', endpoint: `${server.url}/.sts`, maxAttempts: 1, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } });
});

after(async () => {
  sts?.destroy();
  await server?.close();
  await issuer?.close();
  await rm(dir, { recursive: true, force: true });
});

async function assume(claims = OidcIssuer.githubClaims()) {
  const out = await sts.send(new AssumeRoleWithWebIdentityCommand({
    RoleArn: 'acme::role/reports',
    RoleSessionName: 'ci-run',
    WebIdentityToken: await issuer.sign(claims),
    DurationSeconds: 900,
  }));
  const c = out.Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken!, expiration: c.Expiration! };
}

const refusedWith = (code: string, status: number) => (error: unknown) =>
  error instanceof S3ServiceException && error.name === code && error.$metadata.httpStatusCode === status;

test('session credentials read what the ceiling and the grants allow, and nothing else', async () => {
  const s3 = signedClient(server.url, await assume());
  try {
    const got = await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'reports/q1.csv' }));
    assert.equal(await got.Body!.transformToString(), 'content of data/reports/q1.csv');
    const readme = await s3.send(new GetObjectCommand({ Bucket: 'other', Key: 'readme.txt' }));
    assert.equal(await readme.Body!.transformToString(), 'content of other/readme.txt');
    // Outside the ceiling's prefix, and a write the account could do but the role cannot.
    await assert.rejects(s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'raw/secret.csv' })), refusedWith('AccessDenied', 403));
    await assert.rejects(s3.send(new PutObjectCommand({ Bucket: 'data', Key: 'reports/q3.csv', Body: 'x' })), refusedWith('AccessDenied', 403));
    // The prefix-limited ceiling confines listing: the prefix is allowed, the bucket root is not.
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'data', Prefix: 'reports/' }));
    assert.deepEqual(listed.Contents?.map((o) => o.Key), ['reports/q1.csv', 'reports/q2.csv']);
    await assert.rejects(s3.send(new ListObjectsV2Command({ Bucket: 'data' })), refusedWith('AccessDenied', 403));
  } finally {
    s3.destroy();
  }
});

test('the exchange and the session requests reach the log: one sts_exchange audit event, session fields on access lines', async () => {
  events.length = 0;
  const credentials = await assume();
  const s3 = signedClient(server.url, credentials);
  try {
    await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'reports/q2.csv' }));
  } finally {
    s3.destroy();
  }
  server.flushLog();
  const exchanges = events.filter((e) => e.event === 'sts_exchange');
  assert.equal(exchanges.length, 1);
  assert.equal(exchanges[0]!.result, 'success');
  assert.equal(exchanges[0]!.accessKeyId, credentials.accessKeyId);
  const line = events.find((e) => e.msg === 'request' && e.op === 'GetObject');
  assert.ok(line, 'an access-log line for the GetObject');
  assert.equal(line.role, 'acme::role/reports');
  assert.equal(line.sessionName, 'ci-run');
  assert.equal(line.assumedBy, 'repo:acme/site:ref:refs/heads/main');
  assert.match(String(line.identity), /^acme:SLSS[A-Z0-9]+:role\/reports\/ci-run$/);
  const serialised = JSON.stringify(events);
  assert.ok(!serialised.includes(credentials.secretAccessKey) && !serialised.includes(credentials.sessionToken), 'no secret in any log line');
  // The exchange, the JWKS lookup and the session's request are counted too.
  const scraped = await (await fetch(`${server.url}/.metrics`)).text();
  assert.match(scraped, /^sluice_sts_exchanges_total\{result="success"\} [1-9]/m);
  assert.match(scraped, /^sluice_cache_requests_total\{cache="jwks",outcome="(hit|miss)"\} [1-9]/m);
  assert.match(scraped, /^sluice_requests_total\{operation="GetObject",status_class="2xx",auth="session"\} [1-9]/m);
});

test('a grant removed from the account takes effect within the policy cache TTL', async () => {
  const s3 = signedClient(server.url, await assume());
  const store = await SqlitePolicyStore.open(sqlitePath, { masterKey });
  try {
    await s3.send(new GetObjectCommand({ Bucket: 'other', Key: 'readme.txt' }));
    assert.equal(await store.removeGrant('acme', 'other'), true);
    await new Promise((resolve) => setTimeout(resolve, CACHE_TTL_SECONDS * 1000 + 200));
    await assert.rejects(s3.send(new GetObjectCommand({ Bucket: 'other', Key: 'readme.txt' })), refusedWith('AccessDenied', 403));
  } finally {
    await store.putGrant({ account: 'acme', bucket: 'other', actions: ['read'] });
    await store.close();
    s3.destroy();
  }
});

// S3 answers a session token that does not verify with 400 InvalidToken; a wrong secret fails the signature (403).
test('a tampered session token (400 InvalidToken) or a wrong secret (403 SignatureDoesNotMatch) is refused', async () => {
  const credentials = await assume();
  const parts = credentials.sessionToken.split('.');
  const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString()) as Record<string, unknown>;
  payload.ceiling = [{ bucket: '*', actions: ['read', 'write'] }];
  const tampered = [parts[0], Buffer.from(JSON.stringify(payload)).toString('base64url'), parts[2]].join('.');
  const forged = signedClient(server.url, { ...credentials, sessionToken: tampered });
  const wrongSecret = signedClient(server.url, { ...credentials, secretAccessKey: `${credentials.secretAccessKey.slice(0, -2)}xx` });
  try {
    await assert.rejects(forged.send(new GetObjectCommand({ Bucket: 'data', Key: 'raw/secret.csv' })), refusedWith('InvalidToken', 400));
    await assert.rejects(wrongSecret.send(new GetObjectCommand({ Bucket: 'data', Key: 'reports/q1.csv' })), refusedWith('SignatureDoesNotMatch', 403));
  } finally {
    forged.destroy();
    wrongSecret.destroy();
  }
});

test('an expired session answers ExpiredToken', async () => {
  const sessions = config.sts!.sessions;
  const keyring = await SessionKeyring.create({ hmacSecrets: sessions.hmacSecrets!, signingKeys: sessions.signingKeys!, audience: sessions.audience, issuer: sessions.issuer });
  const role = config.sts!.roles[0]!;
  const old = await mintSessionCredentials(keyring, {
    role, sessionName: 'old', assumedBy: 'repo:acme/site', assumedByIssuer: issuer.issuer, durationSeconds: 900,
    now: new Date(Date.now() - 3600_000), random: (bytes) => crypto.getRandomValues(bytes),
  });
  const s3 = signedClient(server.url, old);
  try {
    await assert.rejects(s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'reports/q1.csv' })), refusedWith('ExpiredToken', 400));
  } finally {
    s3.destroy();
  }
});

test('a token from outside the bound repositories is refused by the STS endpoint', async () => {
  await assert.rejects(assume(OidcIssuer.githubClaims({ repository: 'mallory/site' })), (error: unknown) =>
    error instanceof STSServiceException && error.name === 'IDPRejectedClaimException' && error.$metadata.httpStatusCode === 403);
});

test('a revoked session is refused: at once in process, by role from another process within the cache TTL', async () => {
  const first = await assume();
  const second = await assume();
  const a = signedClient(server.url, first);
  const b = signedClient(server.url, second);
  const store = await SqlitePolicyStore.open(sqlitePath, { masterKey });
  try {
    await a.send(new GetObjectCommand({ Bucket: 'data', Key: 'reports/q1.csv' }));
    await server.access.revokeSessions('access-key', first.accessKeyId);
    await assert.rejects(a.send(new GetObjectCommand({ Bucket: 'data', Key: 'reports/q1.csv' })), refusedWith('AccessDenied', 403));
    // The other session is untouched until its role's sessions are revoked from outside.
    await b.send(new GetObjectCommand({ Bucket: 'data', Key: 'reports/q1.csv' }));
    await store.addSessionRevocation(newRevocation('role', 'acme::role/reports', new Date()));
    await new Promise((resolve) => setTimeout(resolve, CACHE_TTL_SECONDS * 1000 + 200));
    await assert.rejects(b.send(new GetObjectCommand({ Bucket: 'data', Key: 'reports/q1.csv' })), refusedWith('AccessDenied', 403));
  } finally {
    await store.close();
    a.destroy();
    b.destroy();
  }
  // Sessions issued after the revocation work: it revokes sessions, not the role. (Session times are whole seconds.)
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const fresh = signedClient(server.url, await assume());
  try {
    await fresh.send(new GetObjectCommand({ Bucket: 'data', Key: 'reports/q1.csv' }));
  } finally {
    fresh.destroy();
  }
});

test('a role stored in the policy store can be assumed, and the file\'s roles come first', async () => {
  const store = await SqlitePolicyStore.open(sqlitePath, { masterKey });
  try {
    await store.putRoleDefinition('acme', 'raw', {
      account: 'acme',
      name: 'raw',
      bindings: [{ provider: 'github', audience: 'sluice', claims: [{ claim: 'repository', operator: 'equals', value: 'acme/site' }] }],
      permissions: [{ actions: ['read'], resources: ['acme::bucket/data/raw/*'] }],
    });
  } finally {
    await store.close();
  }
  const out = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: 'acme::role/raw', RoleSessionName: 'raw', WebIdentityToken: await issuer.sign(OidcIssuer.githubClaims()) }));
  const c = out.Credentials!;
  const s3 = signedClient(server.url, { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! });
  try {
    const got = await s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'raw/secret.csv' }));
    assert.equal(await got.Body!.transformToString(), 'content of data/raw/secret.csv');
    await assert.rejects(s3.send(new GetObjectCommand({ Bucket: 'data', Key: 'reports/q1.csv' })), refusedWith('AccessDenied', 403));
  } finally {
    s3.destroy();
  }
});
