/**
 * The backend contract suite against Azurite (npm), with and without a base
 * prefix. Every test gets a fresh container on one Azurite shared by the
 * file. With a base prefix, blobs are planted next to it so that any leak
 * across the prefix shows up. Azurite checks every Shared Key signature.
 */
import { after } from 'node:test';
import { runBackendContract } from '../../../test/contract/backend-contract.ts';
import { startAzurite, type AzuritePeer } from '../../../test/peers/azurite-peer.ts';
import { bytesBody } from '../../core/body.ts';
import { createNodeHttpClient } from '../../runtimes/node/http-client.ts';
import { AzureBackend } from './azure-backend.ts';

const BASE_PREFIX = 'base/dir/';
/** Names just outside the base prefix: a backend that ignored it would list them. */
const NEIGHBOURS = ['base/dir', 'base/dir0', 'base/di', 'outside'];

let started: Promise<AzuritePeer> | undefined;
const azurite = () => (started ??= startAzurite());
after(async () => (await started?.catch(() => undefined))?.stop());

let containers = 0;

/** Every contract test runs: storage classes, tag sets, checksums and Unicode metadata are kept in reserved metadata. */
export const azuriteSkips: Record<string, string> = {};

function runAgainst(label: string, prefix: string): void {
  runBackendContract(
    label,
    async () => {
      const peer = await azurite();
      const container = `contract-${++containers}-${prefix ? 'p' : 'n'}`;
      await peer.createContainer(container);
      const http = createNodeHttpClient({ connectTimeoutMs: 2000, idleTimeoutMs: 10_000 });
      const options = {
        account: peer.account,
        container,
        endpoint: peer.endpoint,
        auth: { kind: 'sharedKey' as const, accountKey: peer.accountKey },
        http,
        retry: { attempts: 2, baseDelayMs: 10 },
        // Small blocks, so multi-block uploads are exercised by ordinary test bodies.
        blockSize: 1024 * 1024,
      };
      if (prefix) {
        const whole = new AzureBackend({ ...options, prefix: '' });
        for (const key of NEIGHBOURS) await whole.put(key, bytesBody(key), { metadata: {} });
      }
      return { backend: new AzureBackend({ ...options, prefix }), cleanup: async () => http.close() };
    },
    { skip: azuriteSkips, readOnly: (writable) => (writable as AzureBackend).readOnlyView() },
  );
}

runAgainst('azure over Azurite', '');
runAgainst('azure over Azurite with a base prefix', BASE_PREFIX);
