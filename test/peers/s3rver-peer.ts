/**
 * Starts s3rver (npm) in a child process on a random loopback port with a
 * temporary data folder and one bucket. A child process keeps s3rver's
 * logger, which hooks process-wide exception handling, out of the test runner.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { killPeer, spawnPeer, waitUntilReady, type S3Peer } from './s3-peer.ts';

const require = createRequire(import.meta.url);

export async function startS3rver(options: { bucket?: string } = {}): Promise<S3Peer> {
  const bucket = options.bucket ?? 'peer-bucket';
  const directory = await mkdtemp(path.join(tmpdir(), 's3rver-'));
  const bin = path.join(path.dirname(require.resolve('s3rver/package.json')), 'bin', 's3rver.js');
  const { child, output } = spawnPeer(process.execPath, [
    bin,
    '--directory', directory,
    '--address', '127.0.0.1',
    '--port', '0',
    '--silent',
    '--configure-bucket', bucket,
  ]);
  const stop = async () => {
    await killPeer(child);
    await rm(directory, { recursive: true, force: true });
  };
  let endpoint = '';
  try {
    // The CLI prints the bound address once the bucket exists and the server listens.
    await waitUntilReady(
      child,
      async () => {
        const match = /listening on 127\.0\.0\.1:(\d+)/.exec(output());
        if (match) endpoint = `http://127.0.0.1:${match[1]}`;
        return match !== null;
      },
      output,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    endpoint,
    region: 'us-east-1',
    bucket,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    dataDir: directory,
    stop,
  };
}
