/**
 * rclone (Debian's `rclone`) against a running Sluice on an fs connection:
 * `rclone copy` of a local tree into a bucket, `rclone check` comparing both
 * sides (sizes and MD5 hashes, which rclone reads from the ETags), and a copy
 * back down. The remote is given on the command line, so no rclone config
 * file is read or written.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { type InteropGateway, WRITABLE_BUCKET, startInteropGateway } from './gateway-fixture.ts';

const run = promisify(execFile);
const RCLONE = '/usr/bin/rclone';

const TREE: Record<string, string> = {
  'readme.txt': 'a tree copied by rclone\n',
  'data/2024/01.csv': 'station,value\na1,0.5\n',
  'data/2024/02.csv': 'station,value\na1,0.75\n',
  'names/with space.txt': 'space\n',
  'names/café ☕.txt': 'unicode\n',
  'names/plus+and&amp.txt': 'specials\n',
  'empty.bin': '',
  'big.bin': 'x'.repeat(3 * 1024 * 1024),
};

describe('rclone', { skip: existsSync(RCLONE) ? false : 'rclone is not installed (apt-get install rclone)' }, () => {
  let gateway: InteropGateway;
  let scratch: string;

  before(async () => {
    gateway = await startInteropGateway();
    scratch = await mkdtemp(join(tmpdir(), 'sluice-rclone-'));
  });
  after(async () => {
    await gateway?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  function remote(path: string): string {
    const options = [
      'provider=Other',
      `access_key_id=${gateway.accessKeyId}`,
      `secret_access_key=${gateway.secretAccessKey}`,
      `endpoint="${gateway.url}"`, // Quoted: the URL holds colons.
      'region=us-east-1',
      'force_path_style=true',
    ].join(',');
    return `:s3,${options}:${WRITABLE_BUCKET}/${path}`;
  }

  async function rclone(args: string[]): Promise<{ stdout: string; stderr: string }> {
    return run(RCLONE, [...args, '--config', '/dev/null', '--low-level-retries', '1', '--retries', '1'], {
      env: { PATH: process.env.PATH, HOME: scratch },
      maxBuffer: 16 * 1024 * 1024,
    });
  }

  test('copy uploads a tree, check finds both sides identical, and a copy back down matches byte for byte', async () => {
    const local = join(scratch, 'tree');
    for (const [key, content] of Object.entries(TREE)) {
      await mkdir(join(local, key, '..'), { recursive: true });
      await writeFile(join(local, key), content);
    }
    await rclone(['copy', local, remote('tree')]);
    const { stderr } = await rclone(['check', local, remote('tree')]);
    assert.match(stderr, new RegExp(`${Object.keys(TREE).length} matching files`));

    const down = join(scratch, 'down');
    await rclone(['copy', remote('tree'), down]);
    for (const [key, content] of Object.entries(TREE)) assert.equal(await readFile(join(down, key), 'utf8'), content, key);

    await writeFile(join(local, 'readme.txt'), 'changed locally\n');
    await assert.rejects(rclone(['check', local, remote('tree')]), 'check reports a difference');
  });
});
