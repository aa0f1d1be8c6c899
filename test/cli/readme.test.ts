/**
 * The README's access-key walkthrough, followed the way a new user follows
 * it: its shell blocks run as written in a fresh copy of the example folder
 * (only `npx sluice` becomes this checkout's launcher, and the `SLAK…`
 * placeholder the key just created), then the server it starts, used with a
 * request signed by that key, for the objects its `aws s3` lines name.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { signedClient } from '../support/s3-client.ts';
import { launcher, repoRoot, serveCli } from './run-cli.ts';

/** The fenced `sh` blocks of one `## ` section of a Markdown file, in order. */
function shellBlocks(markdown: string, heading: string): string[] {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  assert.notEqual(start, -1, `README has no "## ${heading}" section`);
  const next = markdown.indexOf('\n## ', start + 1);
  const section = markdown.slice(start, next === -1 ? undefined : next);
  return [...section.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

/** Runs a README block with bash, stopping at the first failing command. */
function runShell(script: string, cwd: string, env: Record<string, string | undefined>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const local = script.replace(/\bnpx sluice\b/g, `node '${launcher}'`);
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', local], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let dir: string;
let blocks: string[];
before(async () => {
  blocks = shellBlocks(await readFile(join(repoRoot, 'README.md'), 'utf8'), 'Access keys');
  dir = await mkdtemp(join(tmpdir(), 'sluice-readme-'));
  await cp(join(repoRoot, 'examples'), join(dir, 'examples'), { recursive: true });
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function block(containing: string): string {
  const found = blocks.filter((b) => b.includes(containing));
  assert.equal(found.length, 1, `expected one block with "${containing}" in the README's access keys, found ${found.length}`);
  return found[0]!;
}

describe('README: access keys', () => {
  it('creates a key with the commands as written; the server they describe accepts it', async (t) => {
    // The setup block, then what its shell now holds: the master key it exported.
    const setup = block('keys create');
    const ran = await runShell(`${setup}\nprintf '%s' "$SLUICE_MASTER_KEY" > .master-key\n`, dir, { SLUICE_MASTER_KEY: undefined });
    assert.equal(ran.code, 0, ran.stderr);
    const accessKeyId = /^ {2}Access key id +(\S+)$/m.exec(ran.stdout)?.[1];
    const secretAccessKey = /^ {2}Secret access key +(\S+)$/m.exec(ran.stdout)?.[1];
    assert.ok(accessKeyId && secretAccessKey, ran.stdout);
    assert.match(ran.stdout, new RegExp(`^${accessKeyId} +research +laptop +active `, 'm'), 'keys list shows the new key');
    assert.ok(existsSync(join(dir, 'sluice.db')), 'the store sits next to sluice.yaml');
    const masterKey = await readFile(join(dir, '.master-key'), 'utf8');
    assert.equal(Buffer.from(masterKey, 'base64').length, 32);

    // The server, started as the README says (on a free port instead of 9000).
    assert.equal(block('serve --config').trim(), 'npx sluice serve --config sluice.yaml');
    const server = await serveCli(join(dir, 'sluice.yaml'), { SLUICE_MASTER_KEY: masterKey });
    t.after(() => server.stop());

    // What the `aws s3 ls` and `aws s3 cp` lines ask for, signed with the new key.
    const aws = block('aws s3 ls');
    const listed = /aws s3 ls s3:\/\/([^/\s]+)\/(\S*)/.exec(aws);
    const copied = /aws s3 cp s3:\/\/([^/\s]+)\/(\S+) -/.exec(aws);
    assert.ok(listed && copied, aws);
    const client = signedClient(server.url, { accessKeyId, secretAccessKey });
    t.after(() => client.destroy());
    const listing = await client.send(new ListObjectsV2Command({ Bucket: listed[1]!, Prefix: listed[2]!, Delimiter: '/' }));
    assert.ok(listing.Contents?.some((object) => object.Key === copied[2]), `listing of ${listed[1]} lacks ${copied[2]}`);
    const object = await client.send(new GetObjectCommand({ Bucket: copied[1]!, Key: copied[2]! }));
    assert.equal(await object.Body?.transformToString(), await readFile(join(dir, 'examples', 'data', copied[1]!, copied[2]!), 'utf8'));
    const anonymous = await fetch(`${server.url}/${copied[1]}/${copied[2]}`);
    assert.equal(anonymous.status, 403, 'the bucket is not public: the key is what lets the request in');

    // Revoking, as written but for the placeholder id.
    const revoke = block('keys revoke');
    assert.match(revoke, /SLAK…/);
    const revoked = await runShell(revoke.replace('SLAK…', accessKeyId), dir, { SLUICE_MASTER_KEY: masterKey });
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, new RegExp(`^Revoked access key ${accessKeyId} \\(account research, laptop\\)`));
  });
});
