/**
 * aws-cli (Debian's `awscli`) writing through a running Sluice on an fs
 * connection: `s3 sync` of a tree of hostile key names up and back down,
 * `s3 rm --recursive`, and `s3api copy-object`. The keys are those of the
 * backend contract's hostile corpus that a local file system can hold as a
 * tree (no empty, `.` or `..` segments, no segment over 255 bytes, no key
 * that is also a folder of another).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { coexistingHostileKeys } from '../contract/hostile-keys.ts';
import { type InteropGateway, WRITABLE_BUCKET, startInteropGateway } from './gateway-fixture.ts';
import { isolatedAwsEnv } from './client-env.ts';

const run = promisify(execFile);
const AWS = '/usr/bin/aws';
const utf8 = new TextEncoder();

/** Hostile keys a local folder can hold as files, none also a folder of another. */
export function fileSystemKeys(keys: readonly string[]): string[] {
  const fit = keys.filter((key) => {
    const segments = key.split('/');
    return segments.every((s) => s !== '' && s !== '.' && s !== '..' && utf8.encode(s).length <= 255) &&
      !key.includes('\\') && !key.startsWith('.sluice') && !key.includes('/.sluice') && utf8.encode(key).length <= 900;
  });
  return fit.filter((key) => !fit.some((other) => other.startsWith(`${key}/`)));
}

async function filesUnder(root: string, dir = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(root, dir), { withFileTypes: true })) {
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await filesUnder(root, rel)));
    else out.push(rel);
  }
  return out;
}

describe('aws-cli writes', () => {
  let gateway: InteropGateway;
  let scratch: string;
  const keys = fileSystemKeys(coexistingHostileKeys);

  before(async () => {
    gateway = await startInteropGateway();
    scratch = await mkdtemp(join(tmpdir(), 'sluice-awscli-writes-'));
  });
  after(async () => {
    await gateway?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  async function aws(args: string[]): Promise<string> {
    const { stdout } = await run(AWS, ['--endpoint-url', gateway.url, ...args], {
      env: isolatedAwsEnv(scratch, { AWS_ACCESS_KEY_ID: gateway.accessKeyId, AWS_SECRET_ACCESS_KEY: gateway.secretAccessKey }),
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  }

  async function listed(prefix: string): Promise<string[]> {
    const out = await aws(['s3api', 'list-objects-v2', '--bucket', WRITABLE_BUCKET, '--prefix', prefix]);
    if (out.trim() === '') return [];
    return ((JSON.parse(out) as { Contents?: { Key: string }[] }).Contents ?? []).map((c) => c.Key);
  }

  test('s3 sync uploads a tree of hostile names, downloads it back identical, and s3 rm --recursive removes it', async () => {
    assert.ok(keys.length > 40, `a real corpus (${keys.length} keys)`);
    const up = join(scratch, 'up');
    for (const [i, key] of keys.entries()) {
      await mkdir(join(up, key, '..'), { recursive: true });
      await writeFile(join(up, key), `content ${i}\n`);
    }
    await aws(['s3', 'sync', up, `s3://${WRITABLE_BUCKET}/sync/`]);
    assert.deepEqual((await listed('sync/')).sort(), keys.map((k) => `sync/${k}`).sort());

    const down = join(scratch, 'down');
    await aws(['s3', 'sync', `s3://${WRITABLE_BUCKET}/sync/`, down]);
    assert.deepEqual((await filesUnder(down)).sort(), [...keys].sort());
    for (const [i, key] of keys.entries()) assert.equal(await readFile(join(down, key), 'utf8'), `content ${i}\n`, key);

    await aws(['s3', 'sync', up, `s3://${WRITABLE_BUCKET}/sync/`]);
    assert.equal((await listed('sync/')).length, keys.length, 'a second sync uploads nothing new');

    await aws(['s3', 'rm', '--recursive', `s3://${WRITABLE_BUCKET}/sync/`]);
    assert.deepEqual(await listed('sync/'), []);
  });

  test('s3api copy-object copies within the bucket', async () => {
    const source = join(scratch, 'source.txt');
    await writeFile(source, 'copy me\n');
    await aws(['s3', 'cp', source, `s3://${WRITABLE_BUCKET}/copy/source.txt`]);
    const copied = JSON.parse(await aws(['s3api', 'copy-object', '--bucket', WRITABLE_BUCKET, '--key', 'copy/target.txt', '--copy-source', `${WRITABLE_BUCKET}/copy/source.txt`])) as { CopyObjectResult: { ETag: string } };
    assert.match(copied.CopyObjectResult.ETag, /^"[0-9a-f]{32}"$/);
    const target = join(scratch, 'target.txt');
    await aws(['s3', 'cp', `s3://${WRITABLE_BUCKET}/copy/target.txt`, target]);
    assert.equal(await readFile(target, 'utf8'), 'copy me\n');
  });
});
