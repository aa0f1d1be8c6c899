/**
 * A running Sluice for the interop suites, set up the way an operator would:
 * a YAML config with a restricted bucket and an account grant, an access key
 * created with `sluice keys create`, and `sluice serve` as a child process.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, serveCli } from '../cli/run-cli.ts';

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

export async function startInteropGateway(): Promise<InteropGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-interop-'));
  const objects: Record<string, string> = {
    'readme.txt': 'Restricted research data.\n',
    'data/measurements.csv': 'station,value\na1,0.5\nb2,1.25\n',
  };
  for (let i = 0; i < PAGED_KEYS; i++) objects[`paged/item-${String(i).padStart(3, '0')}.txt`] = `item ${i}\n`;
  for (const [key, content] of Object.entries(objects)) {
    const path = join(dir, 'data', BUCKET, key);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, content);
  }
  const configPath = join(dir, 'sluice.yaml');
  await writeFile(configPath, `
server:
  accessLog: false
connections:
  disk:
    type: fs
    root: data
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
  const env = { SLUICE_MASTER_KEY: Buffer.alloc(32, 42).toString('base64') };
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
      await rm(dir, { recursive: true, force: true });
    },
  };
}
