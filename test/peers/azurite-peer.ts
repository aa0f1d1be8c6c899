/**
 * Starts Azurite's Blob service (npm `azurite`) in a child process on a
 * random loopback port, with a temporary workspace, and creates
 * containers with its well-known development account (Shared Key signed).
 *
 * With `oauth: true` it serves HTTPS with a self-signed certificate made
 * by openssl for 127.0.0.1 and accepts bearer tokens (`--oauth basic`:
 * Azurite checks a token's issuer, audience and lifetime, not its
 * signature). The certificate is returned for the one client that should
 * trust it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import https from 'node:https';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSharedKeySigner } from '../../src/backends/azure/shared-key.ts';
import { AZURE_API_VERSION } from '../../src/backends/azure/transport.ts';
import { killPeer, spawnPeer, waitForOutput } from './s3-peer.ts';

/** Azurite's development account and key, published in its documentation. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuritePeer {
  /** Blob service endpoint with the account path: `http://127.0.0.1:PORT/devstoreaccount1`. */
  endpoint: string;
  account: string;
  accountKey: string;
  /** PEM of the self-signed certificate, when serving HTTPS. */
  certificate?: string;
  /** Create a container; `publicAccess: 'container'` makes it readable anonymously. */
  createContainer(name: string, options?: { publicAccess?: 'container' | 'blob' }): Promise<void>;
  stop(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1, valid for a day. */
async function selfSignedCertificate(directory: string): Promise<{ cert: string; key: string }> {
  const cert = path.join(directory, 'cert.pem');
  const key = path.join(directory, 'key.pem');
  await promisify(execFile)('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { timeout: 60_000 });
  return { cert, key };
}

export async function startAzurite(options: { oauth?: boolean } = {}): Promise<AzuritePeer> {
  const directory = await mkdtemp(path.join(tmpdir(), 'azurite-'));
  const main = createRequire(import.meta.url).resolve('azurite/dist/src/blob/main.js');
  const tls = options.oauth ? await selfSignedCertificate(directory) : undefined;
  const { child, output } = spawnPeer(process.execPath, [
    main, '--blobHost', '127.0.0.1', '--blobPort', '0', '--location', directory,
    '--loose', '--skipApiVersionCheck', '--disableTelemetry', '--silent',
    ...(tls ? ['--cert', tls.cert, '--key', tls.key, '--oauth', 'basic'] : []),
  ]);
  const certificate = tls ? await readFile(tls.cert, 'utf8') : undefined;
  const stop = async () => {
    await killPeer(child);
    await rm(directory, { recursive: true, force: true });
  };
  let endpoint: string;
  try {
    const match = await waitForOutput(child, /listens on (https?:\/\/127\.0\.0\.1:\d+)/, output);
    endpoint = `${match[1]}/${AZURITE_ACCOUNT}`;
  } catch (err) {
    await stop();
    throw err;
  }
  const signer = createSharedKeySigner(AZURITE_ACCOUNT, AZURITE_KEY);
  return {
    endpoint,
    account: AZURITE_ACCOUNT,
    accountKey: AZURITE_KEY,
    ...(certificate !== undefined && { certificate }),
    async createContainer(name, options = {}) {
      const url = `${endpoint}/${name}?restype=container`;
      const headers: Record<string, string> = { 'x-ms-version': AZURE_API_VERSION, 'x-ms-date': new Date().toUTCString(), 'content-length': '0' };
      if (options.publicAccess) headers['x-ms-blob-public-access'] = options.publicAccess;
      headers.authorization = await signer.authorization('PUT', url, headers);
      const res = await sendOnce(url, headers, certificate);
      if (res.status !== 201) throw new Error(`creating container ${name}: ${res.status} ${res.text}`);
    },
    stop,
  };
}

/** One PUT without a body, trusting `certificate` when given (fetch cannot be told to). */
async function sendOnce(url: string, headers: Record<string, string>, certificate: string | undefined): Promise<{ status: number; text: string }> {
  if (certificate === undefined) {
    const res = await fetch(url, { method: 'PUT', headers });
    return { status: res.status, text: await res.text() };
  }
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'PUT', headers, ca: certificate }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
