/**
 * `sluice accounts set | list` as command functions, over a real SQLite
 * store in a temporary folder and a configuration built in code.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { loadedEntry, type CliIo } from '../../src/cli/command.ts';
import { createAccountsCommand } from '../../src/cli/commands/accounts.ts';
import { openConfiguredStore } from '../../src/cli/commands/keys-store.ts';
import { main } from '../../src/cli/main.ts';
import type { SluiceConfig } from '../../src/core/config.ts';
import { SqlitePolicyStore } from '../../src/policy/sqlite/sqlite-store.ts';
import { SERVER_LIMIT_DEFAULTS } from '../../src/config/server-limits.ts';

const MASTER_KEY = Buffer.alloc(32, 42).toString('base64');

async function harness(t: TestContext) {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-accounts-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const sqlitePath = join(dir, 'policy.db');
  const config: SluiceConfig = {
    server: { listen: '127.0.0.1:0', addressing: 'path', region: 'us-east-1', accessLog: false, shutdownGraceSeconds: 1, ...SERVER_LIMIT_DEFAULTS },
    connections: {
      data: { type: 'fs', name: 'data', readOnly: false, root: join(dir, 'data') } as SluiceConfig['connections'][string],
      archive: { type: 'fs', name: 'archive', readOnly: true, root: join(dir, 'archive') } as SluiceConfig['connections'][string],
    },
    buckets: [],
    accounts: [{ name: 'alice', grants: [], createBuckets: { connection: 'data', prefix: '{bucket}/' } }],
    accessKeys: [],
    policy: { cacheTtlSeconds: 30, sqlitePath, masterKey: MASTER_KEY },
  };
  const command = createAccountsCommand({ loadConfig: async () => config, openStore: openConfiguredStore, now: () => new Date('2026-01-01T00:00:00Z') });
  const run = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line) };
    const code = await main(['accounts', ...args], io, [loadedEntry(command)]);
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const stored = async (account: string) => {
    const store = await SqlitePolicyStore.open(sqlitePath, { masterKey: Buffer.from(MASTER_KEY, 'base64') });
    try {
      return await store.getBucketCreation(account);
    } finally {
      await store.close();
    }
  };
  return { run, stored };
}

const C = ['--config', 'sluice.yaml'];

describe('sluice accounts', () => {
  it('set allows a store account to create buckets (creating the account), and --no-create-buckets stops it', async (t) => {
    const { run, stored } = await harness(t);
    const allowed = await run('set', 'carol', ...C, '--create-buckets', 'data', '--bucket-prefix', 'tenants/{account}/{bucket}/');
    assert.equal(allowed.code, 0, allowed.err);
    assert.match(allowed.out, /carol may create buckets on connection data under tenants\/\{account\}\/\{bucket\}\//);
    assert.match(allowed.err, /"event":"account.updated"/);
    assert.deepEqual(await stored('carol'), { connection: 'data', prefix: 'tenants/{account}/{bucket}/' });

    const listed = await run('list', ...C, '--json');
    assert.equal(listed.code, 0, listed.err);
    assert.deepEqual(JSON.parse(listed.out), [
      { account: 'alice', source: 'file', createBuckets: { connection: 'data', prefix: '{bucket}/' } },
      { account: 'carol', source: 'store', createBuckets: { connection: 'data', prefix: 'tenants/{account}/{bucket}/' } },
    ]);
    const table = await run('list', ...C);
    assert.match(table.out, /carol\s+store\s+data:tenants\/\{account\}\/\{bucket\}\//);

    const defaulted = await run('set', 'dave', ...C, '--create-buckets', 'data');
    assert.equal(defaulted.code, 0, defaulted.err);
    assert.deepEqual(await stored('dave'), { connection: 'data', prefix: '{bucket}/' });

    const stopped = await run('set', 'carol', ...C, '--no-create-buckets');
    assert.equal(stopped.code, 0, stopped.err);
    assert.equal(await stored('carol'), null);
  });

  it('refuses file accounts, unknown or read-only connections and bad templates, changing nothing', async (t) => {
    const { run, stored } = await harness(t);
    const file = await run('set', 'alice', ...C, '--no-create-buckets');
    assert.equal(file.code, 1);
    assert.match(file.err, /defined in sluice.yaml: set accounts.alice.createBuckets there/);
    const unknown = await run('set', 'carol', ...C, '--create-buckets', 'nowhere');
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /no connection nowhere \(defined: data, archive\)/);
    const readOnly = await run('set', 'carol', ...C, '--create-buckets', 'archive');
    assert.equal(readOnly.code, 1);
    assert.match(readOnly.err, /readOnly/);
    const template = await run('set', 'carol', ...C, '--create-buckets', 'data', '--bucket-prefix', 'shared/');
    assert.equal(template.code, 2);
    assert.match(template.err, /--bucket-prefix must contain \{bucket\}/);
    const both = await run('set', 'carol', ...C, '--create-buckets', 'data', '--no-create-buckets');
    assert.equal(both.code, 2);
    assert.equal(await stored('carol'), null);
  });
});
