/**
 * Federated identity with stock clients against `sluice serve`: aws-cli and
 * boto3 exchange a GitHub-Actions shaped token at `/.sts` and use the
 * credentials; both use `sluice creds` as a `credential_process`; the AWS
 * SDK for JavaScript and boto3 follow the standard web-identity environment
 * (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN, and the STS endpoint override
 * AWS_ENDPOINT_URL_STS). Each may read what demo::role/reader allows and is
 * refused a write the role does not grant.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { es256Pem, randomHmacSecret } from '../../src/sts/session-keyring.test-helper.ts';
import { launcher, serveCli } from '../cli/run-cli.ts';
import { OidcIssuer } from '../support/oidc-issuer.ts';
import { isolatedAwsEnv } from './client-env.ts';

const run = promisify(execFile);
const AWS = '/usr/bin/aws';
// botocore checks RoleArn's length (at least 20), so Python clients use the ARN form the server also accepts.
const ROLE_ARN = 'arn:aws:iam::demo:role/reader';
const REPORT = 'q,total\n1,10\n';

let dir: string;
let issuer: OidcIssuer;
let server: { url: string; stop(): Promise<void> };
let tokenFile: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-sts-interop-'));
  await mkdir(join(dir, 'data', 'private'), { recursive: true });
  await writeFile(join(dir, 'data', 'private', 'report.csv'), REPORT);
  issuer = await OidcIssuer.start();
  tokenFile = join(dir, 'token.jwt');
  await writeFile(tokenFile, await issuer.sign(OidcIssuer.githubClaims({ repository: 'example-org/app' }), { expiresIn: 1800 }));
  const configPath = join(dir, 'sluice.yaml');
  await writeFile(configPath, `
server: { accessLog: false }
connections:
  disk: { type: fs, root: data }
buckets:
  private: { connection: disk, prefix: private/ }
accounts:
  demo:
    # The account may write; the role may only read.
    grants: [{ bucket: private, actions: [read, write] }]
sts:
  identityProviders:
    - { id: ci, issuer: "${issuer.issuer}", audiences: [sluice], local: true, claims: github-actions }
  sessions:
    hmacSecrets: [{ version: 1, secret: "\${env:HMAC}" }]
    signingKeys: [{ kid: s1, privateKey: "\${env:SIGNING_KEY}" }]
  roles:
    - account: demo
      name: reader
      bindings: [{ provider: ci, audience: sluice, claims: [{ claim: sub, operator: starts_with, value: "repo:example-org/" }] }]
      permissions: [{ actions: [read], resources: ["demo::bucket/private/*"] }]
`);
  server = await serveCli(configPath, { HMAC: randomHmacSecret(), SIGNING_KEY: (await es256Pem()).privateKey });
});

after(async () => {
  await server?.stop();
  await issuer?.close();
  await rm(dir, { recursive: true, force: true });
});

/** A clean environment: no credentials or config of the machine's user. */
const cleanEnv = (extra: Record<string, string> = {}) => isolatedAwsEnv(dir, extra);

const sessionEnv = (c: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string }) =>
  cleanEnv({ AWS_ACCESS_KEY_ID: c.AccessKeyId, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey, AWS_SESSION_TOKEN: c.SessionToken });

/** boto3: read the report, then try a write; prints the body and the write's error code. */
const BOTO3_USE = `
import sys, boto3, botocore.exceptions
s3 = boto3.client('s3', endpoint_url=sys.argv[1], region_name='us-east-1', config=botocore.config.Config(s3={'addressing_style': 'path'}))
print(s3.get_object(Bucket='private', Key='report.csv')['Body'].read().decode(), end='')
try:
    s3.put_object(Bucket='private', Key='new.csv', Body=b'x')
    print('WRITE-ALLOWED')
except botocore.exceptions.ClientError as e:
    print(e.response['Error']['Code'])
`;

async function boto3Use(env: NodeJS.ProcessEnv): Promise<void> {
  const { stdout } = await run('python3', ['-c', `import botocore.config\n${BOTO3_USE}`, server.url], { env });
  assert.equal(stdout, `${REPORT}AccessDenied\n`);
}

async function awsCliUse(env: NodeJS.ProcessEnv, profile: string[] = []): Promise<void> {
  const got = await run(AWS, [...profile, 's3', 'cp', 's3://private/report.csv', '-', '--endpoint-url', server.url], { env });
  assert.equal(got.stdout, REPORT);
  await writeFile(join(dir, 'upload.csv'), 'x');
  await assert.rejects(run(AWS, [...profile, 's3', 'cp', join(dir, 'upload.csv'), 's3://private/new.csv', '--endpoint-url', server.url], { env }),
    (error: { stderr?: string }) => /AccessDenied/.test(error.stderr ?? ''));
}

describe('the exchange with stock clients', () => {
  test('aws-cli: aws sts assume-role-with-web-identity --endpoint-url, then s3 with the credentials', async () => {
    const { stdout } = await run(AWS, [
      'sts', 'assume-role-with-web-identity', '--endpoint-url', `${server.url}/.sts`,
      '--role-arn', ROLE_ARN, '--role-session-name', 'aws-cli', '--web-identity-token', `file://${tokenFile}`, '--output', 'json',
    ], { env: cleanEnv() });
    const { Credentials } = JSON.parse(stdout) as { Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string } };
    assert.match(Credentials.AccessKeyId, /^SLSS/);
    await awsCliUse(sessionEnv(Credentials));
  });

  test('boto3: sts.assume_role_with_web_identity at the endpoint, then s3 with the credentials', async () => {
    const script = `
import sys, json, boto3
sts = boto3.client('sts', endpoint_url=sys.argv[1] + '/.sts', region_name='us-east-1')
c = sts.assume_role_with_web_identity(RoleArn=sys.argv[2], RoleSessionName='boto3', WebIdentityToken=open(sys.argv[3]).read())['Credentials']
print(json.dumps({k: c[k] for k in ('AccessKeyId', 'SecretAccessKey', 'SessionToken')}))
`;
    const { stdout } = await run('python3', ['-c', script, server.url, ROLE_ARN, tokenFile], { env: cleanEnv() });
    await boto3Use(sessionEnv(JSON.parse(stdout)));
  });
});

describe('credential_process = sluice creds', () => {
  test('aws-cli and boto3 with a profile whose credential_process runs the launcher', async () => {
    const configFile = join(dir, 'aws-config');
    const command = [process.execPath, launcher, 'creds', '--endpoint', server.url, '--role', 'demo::role/reader', '--token-file', tokenFile].join(' ');
    await writeFile(configFile, `[profile sluice]\nregion = us-east-1\ncredential_process = ${command}\n`);
    const env = cleanEnv({ AWS_CONFIG_FILE: configFile, XDG_CACHE_HOME: join(dir, 'cache') });
    await awsCliUse(env, ['--profile', 'sluice']);
    await boto3Use({ ...env, AWS_PROFILE: 'sluice' });
  });
});

describe('the web-identity environment with an STS endpoint override', () => {
  const webIdentityEnv = () => ({ AWS_WEB_IDENTITY_TOKEN_FILE: tokenFile, AWS_ROLE_ARN: ROLE_ARN, AWS_ROLE_SESSION_NAME: 'env-flow', AWS_ENDPOINT_URL_STS: `${server.url}/.sts` });

  test('boto3: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN + AWS_ENDPOINT_URL_STS', async () => {
    await boto3Use(cleanEnv(webIdentityEnv()));
  });

  test('AWS SDK for JavaScript: the same variables, through its default credential chain', async () => {
    const saved = { ...process.env };
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) delete process.env[name];
    Object.assign(process.env, { AWS_CONFIG_FILE: join(dir, 'no-config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-credentials'), AWS_EC2_METADATA_DISABLED: 'true', AWS_REGION: 'us-east-1' }, webIdentityEnv());
    const s3 = new S3Client({ endpoint: server.url, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1 });
    try {
      const got = await s3.send(new GetObjectCommand({ Bucket: 'private', Key: 'report.csv' }));
      assert.equal(await got.Body!.transformToString(), REPORT);
      await assert.rejects(s3.send(new PutObjectCommand({ Bucket: 'private', Key: 'new.csv', Body: 'x' })), (error: unknown) =>
        error instanceof S3ServiceException && error.name === 'AccessDenied');
    } finally {
      s3.destroy();
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });
});
