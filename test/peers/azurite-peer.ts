/**
 * Starts Azurite's Blob service (npm `azurite`) in a child process on a
 * random loopback port, with a temporary workspace, and creates
 * containers with its well-known development account (Shared Key signed).
 */
import { mkdtemp, rm } from 'node:fs/promises';
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
  /** Create a container; `publicAccess: 'container'` makes it readable anonymously. */
  createContainer(name: string, options?: { publicAccess?: 'container' | 'blob' }): Promise<void>;
  stop(): Promise<void>;
}

export async function startAzurite(): Promise<AzuritePeer> {
  const directory = await mkdtemp(path.join(tmpdir(), 'azurite-'));
  const main = createRequire(import.meta.url).resolve('azurite/dist/src/blob/main.js');
  const { child, output } = spawnPeer(process.execPath, [
    main, '--blobHost', '127.0.0.1', '--blobPort', '0', '--location', directory,
    '--loose', '--skipApiVersionCheck', '--disableTelemetry', '--silent',
  ]);
  const stop = async () => {
    await killPeer(child);
    await rm(directory, { recursive: true, force: true });
  };
  let endpoint: string;
  try {
    const match = await waitForOutput(child, /listens on (http:\/\/127\.0\.0\.1:\d+)/, output);
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
    async createContainer(name, options = {}) {
      const url = `${endpoint}/${name}?restype=container`;
      const headers: Record<string, string> = { 'x-ms-version': AZURE_API_VERSION, 'x-ms-date': new Date().toUTCString(), 'content-length': '0' };
      if (options.publicAccess) headers['x-ms-blob-public-access'] = options.publicAccess;
      headers.authorization = await signer.authorization('PUT', url, headers);
      const res = await fetch(url, { method: 'PUT', headers });
      if (res.status !== 201) throw new Error(`creating container ${name}: ${res.status} ${await res.text()}`);
    },
    stop,
  };
}
