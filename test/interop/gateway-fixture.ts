/**
 * A running Sluice for the interop suites, set up the way an operator would:
 * a YAML config with a restricted bucket and an account grant, an access key
 * created with `sluice keys create`, and `sluice serve` as a child process.
 * The same gateway runs over each backend kind the suites name: a folder
 * (`fs`), or a container in Azurite (`azure`), seeded with the same objects.
 * Two more buckets, `uploads` and `scratch`, are writable for the write checks.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AzureBackend } from '../../src/backends/azure/azure-backend.ts';
import { bytesBody } from '../../src/core/body.ts';
import { createNodeHttpClient } from '../../src/runtimes/node/http-client.ts';
import { runCli, serveCli } from '../cli/run-cli.ts';
import { AZURITE_KEY, startAzurite } from '../peers/azurite-peer.ts';

/** The backend kinds the interop suites run over. */
export const INTEROP_BACKENDS = ['fs', 'azure'] as const;
export type InteropBackend = (typeof INTEROP_BACKENDS)[number];

/** The kinds to run: all, or those `SLUICE_INTEROP_BACKENDS` names (comma-separated), as `npm run test:azure` does. */
export function interopBackends(): InteropBackend[] {
  const wanted = process.env.SLUICE_INTEROP_BACKENDS?.split(',').map((s) => s.trim()).filter(Boolean);
  return INTEROP_BACKENDS.filter((kind) => !wanted || wanted.includes(kind));
}

export interface InteropGateway {
  url: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The objects under the restricted bucket, by key. */
  objects: Record<string, string>;
  stop(): Promise<void>;
}

export const BUCKET = 'restricted';
/** A bucket the interop key may write, on the same fs connection. */
export const WRITABLE_BUCKET = 'scratch';
export const PAGED_KEYS = 25;
/** A bucket the interop key may write: uploads, multipart included. */
export const UPLOADS_BUCKET = 'uploads';

/** Where the objects live and the `connections` entry that reaches them. */
async function seedBackend(kind: InteropBackend, dir: string, objects: Record<string, string>): Promise<{ connection: string; stop(): Promise<void> }> {
  if (kind === 'fs') {
    for (const [key, content] of Object.entries(objects)) {
      const path = join(dir, 'data', BUCKET, key);
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, content);
    }
    await mkdir(join(dir, 'data', UPLOADS_BUCKET), { recursive: true });
    await mkdir(join(dir, 'data', WRITABLE_BUCKET), { recursive: true });
    return { connection: 'type: fs\n    root: data', stop: async () => {} };
  }
  const azurite = await startAzurite();
  try {
    await azurite.createContainer('interop');
    const http = createNodeHttpClient({});
    const backend = new AzureBackend({
      account: azurite.account,
      container: 'interop',
      endpoint: azurite.endpoint,
      auth: { kind: 'sharedKey', accountKey: azurite.accountKey },
      http,
    });
    for (const [key, content] of Object.entries(objects)) await backend.put(`${BUCKET}/${key}`, bytesBody(content), { metadata: {} });
    http.close();
  } catch (err) {
    await azurite.stop();
    throw err;
  }
  const connection = [
    'type: azure',
    `    account: ${azurite.account}`,
    '    container: interop',
    `    endpoint: ${azurite.endpoint}`,
    '    auth:',
    '      type: sharedKey',
    '      accountKey: ${env:AZURE_ACCOUNT_KEY}',
  ].join('\n');
  return { connection, stop: () => azurite.stop() };
}

export async function startInteropGateway(kind: InteropBackend = 'fs'): Promise<InteropGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-interop-'));
  const objects: Record<string, string> = {
    'readme.txt': 'Restricted research data.\n',
    'data/measurements.csv': 'station,value\na1,0.5\nb2,1.25\n',
  };
  for (let i = 0; i < PAGED_KEYS; i++) objects[`paged/item-${String(i).padStart(3, '0')}.txt`] = `item ${i}\n`;
  const store = await seedBackend(kind, dir, objects);
  const configPath = join(dir, 'sluice.yaml');
  await writeFile(configPath, `
server:
  accessLog: false
connections:
  disk:
    ${store.connection}
buckets:
  ${BUCKET}:
    connection: disk
    prefix: ${BUCKET}/
  ${UPLOADS_BUCKET}:
    connection: disk
    prefix: ${UPLOADS_BUCKET}/
  ${WRITABLE_BUCKET}:
    connection: disk
    prefix: ${WRITABLE_BUCKET}/
accounts:
  research:
    grants:
      - bucket: ${BUCKET}
        actions: [read]
      - bucket: ${UPLOADS_BUCKET}
        actions: [read, write]
      - bucket: ${WRITABLE_BUCKET}
        actions: [read, write]
policy:
  sqlitePath: sluice.db
  masterKey: \${env:SLUICE_MASTER_KEY}
`);
  const env = { SLUICE_MASTER_KEY: Buffer.alloc(32, 42).toString('base64'), AZURE_ACCOUNT_KEY: AZURITE_KEY };
  const created = await runCli(['keys', 'create', '--config', configPath, '--account', 'research', '--label', 'interop', '--json'], env);
  if (created.code !== 0) throw new Error(`sluice keys create failed: ${created.stderr}`);
  const { accessKeyId, secretAccessKey } = JSON.parse(created.stdout) as { accessKeyId: string; secretAccessKey: string };

  const server = await serveCli(configPath, env);
  return {
    url: server.url,
    accessKeyId,
    secretAccessKey,
    objects,
    async stop() {
      await server.stop();
      await store.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
