/**
 * Starts moto's standalone server (Python `moto`, run as
 * `python3 -m moto.server`) on a random loopback port and creates a bucket.
 * Throws `PeerUnavailableError` where moto is not installed.
 *
 * By default moto checks SigV4 signatures (with botocore's implementation, so
 * independently of ours): it answers the first few requests without
 * authentication, which create an IAM user with an access key allowed `s3:*`,
 * and verifies every request after that against that key.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { signRequest } from '../../src/auth/sigv4/sign-request.ts';
import { createBucketAt, freePort, killPeer, PeerUnavailableError, spawnPeer, waitUntilReady, type S3Peer } from './s3-peer.ts';

const python = process.env.SLUICE_TEST_PYTHON ?? 'python3';

/** The IAM calls made before moto starts checking signatures. */
const SETUP_ACTIONS = 3;

let available: boolean | undefined;
function motoAvailable(): boolean {
  available ??= spawnSync(python, ['-c', 'import moto.server'], { stdio: 'ignore' }).status === 0;
  return available;
}

/** Why moto cannot run here, or undefined when it can: for skipping whole suites up front. */
export function motoUnavailableReason(): string | undefined {
  return motoAvailable() ? undefined : `moto is not installed for ${python} (pip install 'moto[server]')`;
}

type Credentials = S3Peer['credentials'];

/** One IAM query-API call; moto does not check these while still in its unauthenticated allowance. */
async function iam(endpoint: string, params: Record<string, string>): Promise<string> {
  const body = new URLSearchParams({ ...params, Version: '2010-05-08' }).toString();
  const headers = await signRequest(
    { method: 'POST', url: `${endpoint}/`, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
    { accessKeyId: 'AKIASETUPSETUPSETUP0', secretAccessKey: 'setup' },
    { region: 'us-east-1', service: 'iam', payloadHash: createHash('sha256').update(body).digest('hex') },
  );
  delete headers.host; // fetch sets it
  const res = await fetch(`${endpoint}/`, { method: 'POST', headers, body });
  const text = await res.text();
  if (!res.ok) throw new Error(`IAM ${params.Action} failed: ${res.status} ${text}`);
  return text;
}

/** An IAM user whose key may do anything in S3; after these calls moto verifies signatures. */
async function createS3User(endpoint: string, actions: readonly string[]): Promise<Credentials> {
  await iam(endpoint, { Action: 'CreateUser', UserName: 'sluice-tests' });
  const key = await iam(endpoint, { Action: 'CreateAccessKey', UserName: 'sluice-tests' });
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] };
  await iam(endpoint, { Action: 'PutUserPolicy', UserName: 'sluice-tests', PolicyName: 's3-all', PolicyDocument: JSON.stringify(policy) });
  const accessKeyId = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(key)?.[1];
  const secretAccessKey = /<SecretAccessKey>([^<]+)<\/SecretAccessKey>/.exec(key)?.[1];
  if (!accessKeyId || !secretAccessKey) throw new Error(`no access key in CreateAccessKey answer: ${key}`);
  return { accessKeyId, secretAccessKey };
}

export async function startMotoServer(options: {
  bucket?: string;
  verifySignatures?: boolean;
  /** What the peer's IAM user may do (default `s3:*`); federation tests add `iam:*` and `sts:*` to set up roles. */
  userActions?: readonly string[];
} = {}): Promise<S3Peer> {
  const unavailable = motoUnavailableReason();
  if (unavailable) throw new PeerUnavailableError(unavailable);
  const bucket = options.bucket ?? 'peer-bucket';
  const verify = options.verifySignatures ?? true;
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const { child, output } = spawnPeer(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    // moto reads these for its default account and region; nothing leaves the machine.
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_DEFAULT_REGION: 'us-east-1',
    ...(verify ? { INITIAL_NO_AUTH_ACTION_COUNT: String(SETUP_ACTIONS) } : {}),
  });
  const stop = () => killPeer(child);
  let credentials: Credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  try {
    await waitUntilReady(child, async () => (await fetch(`${endpoint}/moto-api/`)).ok, output);
    if (verify) credentials = await createS3User(endpoint, options.userActions ?? ['s3:*']);
    await createBucketAt(endpoint, credentials, bucket);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    endpoint,
    region: 'us-east-1',
    bucket,
    credentials,
    createBucket: (name) => createBucketAt(endpoint, credentials, name),
    stop,
  };
}
