/**
 * Starts s3rver (npm) in a child process on a random loopback port with a
 * temporary data folder and one bucket. A child process keeps s3rver's
 * logger, which hooks process-wide exception handling, out of the test runner;
 * the child (`s3rver-child.ts`) also keeps s3rver's files inside that folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBucketAt, killPeer, spawnPeer, waitForOutput, type S3Peer } from './s3-peer.ts';

export async function startS3rver(options: { bucket?: string } = {}): Promise<S3Peer> {
  const bucket = options.bucket ?? 'peer-bucket';
  const directory = await mkdtemp(path.join(tmpdir(), 's3rver-'));
  const launcher = fileURLToPath(new URL('./s3rver-child.ts', import.meta.url));
  const { child, output } = spawnPeer(process.execPath, ['--import', import.meta.resolve('tsx'), launcher, directory, bucket]);
  const stop = async () => {
    await killPeer(child);
    await rm(directory, { recursive: true, force: true });
  };
  let endpoint = '';
  try {
    // The child prints the bound address once the bucket exists and the server listens.
    const match = await waitForOutput(child, /listening on 127\.0\.0\.1:(\d+)/, output);
    endpoint = `http://127.0.0.1:${match[1]}`;
  } catch (err) {
    await stop();
    throw err;
  }
  const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
  return {
    endpoint,
    region: 'us-east-1',
    bucket,
    credentials,
    dataDir: directory,
    createBucket: (name) => createBucketAt(endpoint, credentials, name),
    stop,
  };
}
