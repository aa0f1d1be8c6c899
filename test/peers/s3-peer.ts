/**
 * What a started S3 peer (a real S3-compatible server run for tests) hands
 * back, and the small process helpers the peers share.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { signRequest } from '../../src/auth/sigv4/sign-request.ts';

export interface S3Peer {
  /** e.g. `http://127.0.0.1:41234`; buckets are addressed path-style. */
  endpoint: string;
  region: string;
  /** A bucket created for this peer, empty at start. */
  bucket: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Where the peer keeps its data, when it keeps any on disk. */
  dataDir?: string;
  /** Create another (empty) bucket, e.g. one per test. */
  createBucket(name: string): Promise<void>;
  /** Stop the server and remove whatever it kept on disk. */
  stop(): Promise<void>;
}

/** The peer cannot run on this machine (its program is missing); tests skip with this message. */
export class PeerUnavailableError extends Error {
  override name = 'PeerUnavailableError';
}

/** A loopback port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Spawn a server process, collecting its output for error messages. */
export function spawnPeer(command: string, args: string[], env?: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, output: () => output };
}

/** Kill a child and wait for it to be gone. */
export async function killPeer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

/**
 * Resolve with the first match of `pattern` in the child's output, as soon as
 * it is printed; fail early if the child exits, or after `timeoutMs`.
 */
export function waitForOutput(child: ChildProcess, pattern: RegExp, describe: () => string, timeoutMs = 30_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      settle();
    };
    const onData = (chunk: Buffer) => {
      seen = (seen + chunk.toString()).slice(-4000);
      const match = pattern.exec(seen);
      if (match) finish(() => resolve(match));
    };
    const onExit = (code: number | null, signal: string | null) =>
      finish(() => reject(new Error(`peer exited before it was ready (${code ?? signal}): ${describe()}`)));
    const timer = setTimeout(() => finish(() => reject(new Error(`peer not ready after ${timeoutMs} ms: ${describe()}`))), timeoutMs);
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
    // What was printed before we started listening counts too.
    onData(Buffer.from(describe()));
  });
}

/**
 * Resolve once `probe` succeeds; fail early if the child exits, or after
 * `timeoutMs`. For servers that announce nothing when ready (moto): it polls.
 */
export async function waitUntilReady(
  child: ChildProcess,
  probe: () => Promise<boolean>,
  describe: () => string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`peer exited before it was ready (${child.exitCode ?? child.signalCode}): ${describe()}`);
    }
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`peer not ready after ${timeoutMs} ms: ${describe()}`);
}

/** A signed path-style CreateBucket (us-east-1 needs no location document). */
export async function createBucketAt(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  name: string,
): Promise<void> {
  const url = `${endpoint}/${name}`;
  const headers = await signRequest({ method: 'PUT', url, headers: {} }, credentials, {
    region: 'us-east-1',
    service: 's3',
    payloadHash: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  });
  delete headers.host; // fetch sets it
  const res = await fetch(url, { method: 'PUT', headers });
  if (!res.ok) throw new Error(`creating bucket ${name} failed: ${res.status} ${await res.text()}`);
}
