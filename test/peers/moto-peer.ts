/**
 * Starts moto's standalone S3 server (Python `moto`, run as
 * `python3 -m moto.server`) on a random loopback port and creates a bucket.
 * Throws `PeerUnavailableError` where moto is not installed.
 */
import { spawnSync } from 'node:child_process';
import { createBucketAt, freePort, killPeer, PeerUnavailableError, spawnPeer, waitUntilReady, type S3Peer } from './s3-peer.ts';

const python = process.env.SLUICE_TEST_PYTHON ?? 'python3';

let available: boolean | undefined;
function motoAvailable(): boolean {
  available ??= spawnSync(python, ['-c', 'import moto.server'], { stdio: 'ignore' }).status === 0;
  return available;
}

/** Why moto cannot run here, or undefined when it can: for skipping whole suites up front. */
export function motoUnavailableReason(): string | undefined {
  return motoAvailable() ? undefined : `moto is not installed for ${python} (pip install 'moto[server]')`;
}

export async function startMotoServer(options: { bucket?: string } = {}): Promise<S3Peer> {
  const unavailable = motoUnavailableReason();
  if (unavailable) throw new PeerUnavailableError(unavailable);
  const bucket = options.bucket ?? 'peer-bucket';
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const { child, output } = spawnPeer(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
    // moto reads these for its default account and region; nothing leaves the machine.
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_DEFAULT_REGION: 'us-east-1',
  });
  const stop = () => killPeer(child);
  const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
  try {
    await waitUntilReady(child, async () => (await fetch(`${endpoint}/moto-api/`)).ok, output);
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
