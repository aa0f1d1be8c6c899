/**
 * The multipart contract against the Azure backend on Azurite, with and
 * without a base prefix: parts staged as blocks of the destination blob,
 * the upload registry under `.sluice/`, completion as one Put Block List.
 * With a base prefix, uploads are begun just outside it, so a listing that
 * ignored the prefix would show them.
 */
import { after } from 'node:test';
import { runMultipartContract } from '../../../test/contract/multipart-contract.ts';
import { startAzurite, type AzuritePeer } from '../../../test/peers/azurite-peer.ts';
import { createNodeHttpClient } from '../../runtimes/node/http-client.ts';
import { AzureBackend } from './azure-backend.ts';

const BASE_PREFIX = 'base/dir/';
const NEIGHBOURS = ['base/dir', 'base/dir0', 'outside'];

let started: Promise<AzuritePeer> | undefined;
const azurite = () => (started ??= startAzurite());
after(async () => (await started?.catch(() => undefined))?.stop());
let containers = 0;

function runAgainst(label: string, prefix: string): void {
  runMultipartContract(label, async () => {
    const peer = await azurite();
    const container = `multipart-${++containers}-${prefix ? 'p' : 'n'}`;
    await peer.createContainer(container);
    const http = createNodeHttpClient({ connectTimeoutMs: 2000, idleTimeoutMs: 10_000 });
    const options = {
      account: peer.account,
      container,
      endpoint: peer.endpoint,
      auth: { kind: 'sharedKey' as const, accountKey: peer.accountKey },
      http,
      retry: { attempts: 2, baseDelayMs: 10 },
      // Parts larger than a block are staged as several blocks.
      blockSize: 1024 * 1024,
    };
    if (prefix) {
      const whole = new AzureBackend({ ...options, prefix: '' });
      for (const key of NEIGHBOURS) await whole.multipart.create(key, { metadata: {} });
    }
    return { backend: new AzureBackend({ ...options, prefix }), cleanup: async () => http.close() };
  });
}

runAgainst('azure over Azurite', '');
runAgainst('azure over Azurite with a base prefix', BASE_PREFIX);
