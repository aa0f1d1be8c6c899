/**
 * The benchmark's data set under a temp folder: many small objects, one large
 * object of real (incompressible, non-sparse) bytes, one huge sparse object,
 * and the Sluice configuration files that publish them.
 */
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PUBLIC_BUCKET = 'bench';
export const PRIVATE_BUCKET = 'bench-private';
export const SMALL_COUNT = 1000;
export const SMALL_SIZE = 4 * 1024;
export const LARGE_SIZE = 256 * 1024 * 1024;
export const HUGE_SIZE = 1024 * 1024 * 1024;

export interface DataSet {
  dir: string;
  /** The fs root both Sluice and the baseline serve. */
  root: string;
  smallKeys: string[];
  largeKey: string;
  hugeKey: string;
  /** Sluice config with every default (access log on). */
  defaultConfig: string;
  /** The same with `server.accessLog: false`. */
  quietConfig: string;
  remove(): void;
}

function sluiceYaml(root: string, accessLog: boolean | undefined): string {
  return [
    'server:',
    '  listen: 127.0.0.1:0',
    ...(accessLog === undefined ? [] : [`  accessLog: ${accessLog}`]),
    'connections:',
    '  data:',
    '    type: fs',
    `    root: ${JSON.stringify(root)}`,
    '    readOnly: true',
    'buckets:',
    `  ${PUBLIC_BUCKET}:`,
    '    connection: data',
    '    public: true',
    `  ${PRIVATE_BUCKET}:`,
    '    connection: data',
    '    public: false',
    '',
  ].join('\n');
}

export function createDataSet(): DataSet {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  const root = join(dir, 'data');
  mkdirSync(join(root, 'small'), { recursive: true });

  const smallKeys: string[] = [];
  const small = new Uint8Array(SMALL_SIZE);
  for (let i = 0; i < SMALL_COUNT; i++) {
    const key = `small/object-${String(i).padStart(4, '0')}.bin`;
    writeFileSync(join(root, key), randomFillSync(small));
    smallKeys.push(key);
  }

  // Real bytes, so reads come from the page cache rather than zero-filled holes.
  const largeKey = 'large-256MiB.bin';
  const block = randomFillSync(new Uint8Array(1024 * 1024));
  const fd = openSync(join(root, largeKey), 'w');
  try {
    for (let written = 0; written < LARGE_SIZE; written += block.byteLength) writeSync(fd, block);
  } finally {
    closeSync(fd);
  }

  // Sparse: the memory test is about buffering in the server, not disk speed.
  const hugeKey = 'huge-1GiB.bin';
  writeFileSync(join(root, hugeKey), '');
  truncateSync(join(root, hugeKey), HUGE_SIZE);

  const defaultConfig = join(dir, 'sluice-default.yaml');
  writeFileSync(defaultConfig, sluiceYaml(root, undefined));
  const quietConfig = join(dir, 'sluice-no-access-log.yaml');
  writeFileSync(quietConfig, sluiceYaml(root, false));

  return {
    dir,
    root,
    smallKeys,
    largeKey,
    hugeKey,
    defaultConfig,
    quietConfig,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
