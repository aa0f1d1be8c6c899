/**
 * The gateway behaviour suite inside workerd: the Workers handler
 * (`createWorker`, bundled as the build bundles the Workers entry) served
 * by Miniflare and driven over HTTP on loopback, with its S3 backend inside
 * workerd talking to the shared S3 peer over the platform's `fetch`.
 *
 * A workerd process takes a while to start, so one serves a whole run: the
 * test harness entry (`test/workers/harness-entry.ts`) holds one gateway per
 * test configuration. The backends made here are S3 backends in this
 * process, on the same peer bucket and prefix as the gateway's connection,
 * so the suite seeds and inspects what the gateway in workerd sees.
 */
import { fileURLToPath } from 'node:url';
import { S3Backend } from '../../src/backends/s3/s3-backend.ts';
import type { Backend } from '../../src/core/backend.ts';
import { bytesBody } from '../../src/core/body.ts';
import type { SluiceConfig } from '../../src/core/config.ts';
import { createFetchHttpClient } from '../../src/core/fetch-http-client.ts';
import { HARNESS_CONFIGS_PATH, HARNESS_HEADER } from '../workers/harness-protocol.ts';
import { type RunningWorker, startWorker } from '../workers/workerd.ts';
import { type SharedS3Peer, loopbackClient } from './adapters.ts';
import type { BackendMaker, GatewayAdapter, GatewaySetup } from './gateway-under-test.ts';

const HARNESS_ENTRY = fileURLToPath(new URL('../workers/harness-entry.ts', import.meta.url));

/** The peer's secret reaches the gateway as a Worker secret, through `${env:…}` in the configuration. */
const SECRET_BINDING = 'PEER_SECRET_ACCESS_KEY';

/** The configuration document (map form, as written in a file) for a validated configuration. */
export function configDocument(config: SluiceConfig, connections: Record<string, Record<string, unknown>>): Record<string, unknown> {
  return {
    server: config.server,
    connections,
    buckets: Object.fromEntries(config.buckets.map(({ name, ...bucket }) => [name, bucket])),
    accounts: Object.fromEntries(config.accounts.map(({ name, ...account }) => [name, account])),
    accessKeys: Object.fromEntries(
      config.accessKeys.map(({ accessKeyId, secretAccessKey, status, expiresAt, ...key }) => [
        accessKeyId,
        { ...key, secret: secretAccessKey, disabled: status === 'disabled', ...(expiresAt !== undefined && { expires: expiresAt.toISOString() }) },
      ]),
    ),
    policy: config.policy,
  };
}

export interface WorkersRun {
  adapter: GatewayAdapter;
  backends: BackendMaker;
}

/** The workers adapter and the S3 backends it runs over; closing the backends stops workerd. */
export function workersRun(shared: SharedS3Peer): WorkersRun {
  /** Each backend made here, as the gateway's connection settings name it. */
  const settings = new WeakMap<Backend, Record<string, unknown>>();
  let worker: Promise<RunningWorker> | undefined;
  const running = async () => {
    const { credentials } = await shared.peer();
    return (worker ??= startWorker(HARNESS_ENTRY, { [SECRET_BINDING]: credentials.secretAccessKey }));
  };

  const connectionsFor = (setup: GatewaySetup): Record<string, Record<string, unknown>> => {
    const connections: Record<string, Record<string, unknown>> = {};
    for (const [name, backend] of setup.backends) {
      // Only the S3 backends made here exist in workerd; the probe connection becomes an empty memory store.
      connections[name] = settings.get(backend) ?? { type: 'memory' };
    }
    return connections;
  };

  const adapter: GatewayAdapter = {
    name: 'workers (workerd)',
    async start(setup) {
      const { origin, port } = await running();
      const registered = await fetch(`${origin}${HARNESS_CONFIGS_PATH}`, {
        method: 'POST',
        body: JSON.stringify(configDocument(setup.config, connectionsFor(setup))),
      });
      const id = await registered.text();
      if (registered.status !== 201) throw new Error(`the harness refused the configuration: ${registered.status} ${id}`);
      return {
        origin,
        ...loopbackClient(port, { [HARNESS_HEADER]: id }),
        close: async () => {
          await (await fetch(`${origin}${HARNESS_CONFIGS_PATH}/${id}`, { method: 'DELETE' })).arrayBuffer();
        },
      };
    },
  };

  const backends: BackendMaker = {
    name: 's3 (workerd fetch)',
    async make() {
      const { endpoint, region, bucket, credentials } = await shared.peer();
      const prefix = shared.nextPrefix();
      const backend = new S3Backend({ endpoint, region, bucket, forcePathStyle: true, prefix, credentials, http: createFetchHttpClient(), retry: { attempts: 1 } });
      settings.set(backend, {
        type: 's3',
        endpoint,
        region,
        bucket,
        forcePathStyle: true,
        prefix,
        credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: `\${env:${SECRET_BINDING}}` },
      });
      const seed = async (key: string, content: string | Uint8Array, options: { contentType?: string; metadata?: Record<string, string> } = {}) => {
        await backend.put(key, bytesBody(typeof content === 'string' ? content : content.slice()), { contentType: options.contentType, metadata: options.metadata ?? {} });
      };
      return { backend, seed, cleanup: async () => {} };
    },
    async close() {
      await (await worker?.catch(() => undefined))?.stop();
    },
  };
  return { adapter, backends };
}
