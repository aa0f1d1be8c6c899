import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SecretBox, parseMasterKey } from '../../auth/secret-box.ts';
import { d1MigrationFiles } from '../../policy/d1/d1-schema.ts';
import { validateWorkersConfig } from '../../runtimes/workers/config.ts';
import type { CliIo } from '../command.ts';
import { createD1Command } from './d1.ts';

const MASTER_KEY = Buffer.alloc(32, 5).toString('base64');
const NOW = new Date('2030-03-04T05:06:07.000Z');
const D1_CONFIG = 'policy: { type: d1, binding: SLUICE_DB, masterKey: "${env:SLUICE_MASTER_KEY}" }\n';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-d1-cli-'));
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function run(args: string[], configText = D1_CONFIG) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line) };
  const command = createD1Command({
    loadConfig: async (file) => validateWorkersConfig(configText, { SLUICE_MASTER_KEY: MASTER_KEY }, file),
    now: () => NOW,
  });
  const code = await command.run(args, io);
  return { code, out, err };
}

describe('sluice d1 migrations', () => {
  it('writes one wrangler migration file per schema version, then nothing more when they are there', async () => {
    const target = join(dir, 'migrations');
    const first = await run(['migrations', target]);
    assert.equal(first.code, 0, first.err.join('\n'));
    const files = d1MigrationFiles();
    assert.deepEqual((await readdir(target)).sort(), files.map((f) => f.name));
    for (const file of files) assert.equal(await readFile(join(target, file.name), 'utf8'), file.sql);
    assert.equal(first.out.at(-1), 'apply them with: npx wrangler d1 migrations apply DATABASE --remote');

    const again = await run(['migrations', target]);
    assert.equal(again.code, 0);
    assert.deepEqual(again.out, [`${target} has every migration up to schema version ${files.length}; nothing to write`]);
  });

  it('refuses a migration file that differs from this Sluice’s, and leaves it as it is', async () => {
    const target = join(dir, 'edited');
    await run(['migrations', target]);
    const edited = join(target, d1MigrationFiles()[0]!.name);
    await writeFile(edited, '-- changed by hand\n');
    const result = await run(['migrations', target]);
    assert.equal(result.code, 1);
    assert.match(result.err.join('\n'), /differs from this Sluice's migration of the same name; released migrations never change/);
    assert.equal(await readFile(edited, 'utf8'), '-- changed by hand\n');
  });

  it('needs exactly one folder', async () => {
    assert.equal((await run(['migrations'])).code, 2);
    assert.equal((await run(['migrations', 'a', 'b'])).code, 2);
  });
});

describe('sluice d1 create-key', () => {
  it('prints the key once and writes SQL holding its secret sealed for its id, the account, and the master key check', async () => {
    const out = join(dir, 'key.sql');
    const result = await run(['create-key', '-c', 'w.yaml', '-a', 'research', '-l', "Bob's laptop", '--prefix', 'reports/', '--expires', '90d', '-o', out, '--json']);
    assert.equal(result.code, 0, result.err.join('\n'));
    const key = JSON.parse(result.out[0]!) as { accessKeyId: string; secretAccessKey: string; expiresAt: string; ceiling: unknown };
    assert.match(key.accessKeyId, /^[A-Z0-9]{20}$/);
    assert.equal(key.expiresAt, new Date(NOW.getTime() + 90 * 86_400_000).toISOString());
    assert.deepEqual(key.ceiling, [{ bucket: '*', actions: ['read', 'write'], prefixes: ['reports/'] }]);
    assert.match(result.err[0]!, /"event":"access-key.created"/);
    assert.doesNotMatch(result.err.join('\n'), new RegExp(key.secretAccessKey.replace(/[+/]/g, '\\$&')));

    const sql = await readFile(out, 'utf8');
    assert.equal((await stat(out)).mode & 0o777, 0o600);
    assert.ok(!sql.includes(key.secretAccessKey), 'no secret in the clear');
    const lines = sql.trimEnd().split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[1]!, /^INSERT INTO meta \(name, value\) VALUES \('master_key_check', 'v1\.[^']+'\) ON CONFLICT DO NOTHING;$/);
    assert.equal(lines[2], `INSERT INTO accounts (name, created_at) VALUES ('research', '${NOW.toISOString()}') ON CONFLICT DO NOTHING;`);
    // Quotes doubled; the sealed secret opens with the master key for this key id only.
    assert.ok(lines[3]!.startsWith(`INSERT INTO access_keys (id, account, label, secret_ciphertext, status, created_at, expires_at, ceiling) VALUES ('${key.accessKeyId}', 'research', 'Bob''s laptop', 'v1.`));
    const sealed = /'(v1\.[^']+)'/.exec(lines[3]!)![1]!;
    const box = new SecretBox(parseMasterKey(MASTER_KEY));
    assert.equal(await box.open(sealed, key.accessKeyId), key.secretAccessKey);
    await assert.rejects(box.open(sealed, 'SLAKSOMEOTHERKEYAAAA'));
  });

  it('never overwrites a file, and needs a D1 store in the configuration', async () => {
    const out = join(dir, 'taken.sql');
    await writeFile(out, 'keep me');
    const taken = await run(['create-key', '-c', 'w.yaml', '-a', 'research', '-l', 'x', '-o', out]);
    assert.equal(taken.code, 1);
    assert.match(taken.err.join('\n'), /taken\.sql exists: give a new file for the SQL/);
    assert.equal(await readFile(out, 'utf8'), 'keep me');

    const noD1 = await run(['create-key', '-c', 'w.yaml', '-a', 'research', '-l', 'x', '-o', join(dir, 'none.sql')], 'connections: { m: { type: memory } }\n');
    assert.equal(noD1.code, 1);
    assert.match(noD1.err.join('\n'), /w\.yaml has no D1 policy store \(policy\.type: d1 with policy\.binding and policy\.masterKey\)/);
  });

  it('refuses bad usage with exit 2', async () => {
    const out = join(dir, 'unused.sql');
    for (const args of [
      ['create-key', '-a', 'research', '-l', 'x', '-o', out],
      ['create-key', '-c', 'w.yaml', '-l', 'x', '-o', out],
      ['create-key', '-c', 'w.yaml', '-a', 'research', '-o', out],
      ['create-key', '-c', 'w.yaml', '-a', 'research', '-l', 'x'],
      ['create-key', '-c', 'w.yaml', '-a', 'two words', '-l', 'x', '-o', out],
      ['create-key', '-c', 'w.yaml', '-a', 'research', '-l', 'x', '-o', out, '--expires', 'soon'],
      ['create-key', '-c', 'w.yaml', '-a', 'research', '-l', 'x', '-o', out, '--prefix', '/abs'],
    ]) {
      assert.equal((await run(args)).code, 2, args.join(' '));
    }
  });
});

describe('sluice d1 revoke-key', () => {
  it('prints the UPDATE that revokes the key, keeping an earlier revocation’s time', async () => {
    const result = await run(['revoke-key', 'SLAKEXAMPLEEXAMPLE23']);
    assert.equal(result.code, 0);
    assert.deepEqual(result.out, [`UPDATE access_keys SET revoked_at = coalesce(revoked_at, '${NOW.toISOString()}') WHERE id = 'SLAKEXAMPLEEXAMPLE23';`]);
  });

  it('takes exactly one well-formed access key id', async () => {
    for (const args of [['revoke-key'], ['revoke-key', "x' OR 1=1 --"], ['revoke-key', 'SLAKEXAMPLEEXAMPLE23', 'SLAKEXAMPLEEXAMPLE24']]) {
      assert.equal((await run(args)).code, 2, args.join(' '));
    }
  });
});
