/**
 * `sluice keys create | list | revoke` as command functions, over a real
 * SQLite store in a temporary folder and a configuration built in code.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { isAccessKeyId } from '../../src/auth/access-key-ids.ts';
import type { SluiceConfig } from '../../src/core/config.ts';
import { loadedEntry, type CliIo } from '../../src/cli/command.ts';
import { createKeysCommand } from '../../src/cli/commands/keys.ts';
import { openConfiguredStore } from '../../src/cli/commands/keys-store.ts';
import { main } from '../../src/cli/main.ts';
import { SqlitePolicyStore } from '../../src/policy/sqlite/sqlite-store.ts';
import { SERVER_LIMIT_DEFAULTS } from '../../src/config/server-limits.ts';

const MASTER_KEY = Buffer.alloc(32, 42).toString('base64');
const OTHER_MASTER_KEY = Buffer.alloc(32, 43).toString('base64');
const HOUR = 3_600_000;

function baseConfig(sqlitePath: string | undefined, policy: Partial<SluiceConfig['policy']> = {}): SluiceConfig {
  return {
    server: { listen: '127.0.0.1:0', addressing: 'path', region: 'us-east-1', accessLog: false, shutdownGraceSeconds: 1, ...SERVER_LIMIT_DEFAULTS },
    connections: {},
    buckets: [],
    accounts: [{ name: 'research', grants: [{ bucket: 'data', actions: ['read'] }] }],
    accessKeys: [{ accessKeyId: 'AKIAFROMTHEFILE00000', secretAccessKey: 'file-secret', account: 'research', label: 'file', status: 'active' }],
    policy: { cacheTtlSeconds: 30, ...(sqlitePath === undefined ? {} : { sqlitePath, masterKey: MASTER_KEY }), ...policy },
  };
}

/** A keys command over a temporary database; `run` collects output, `advance` moves the clock. */
async function harness(t: TestContext, configFor: (dbPath: string) => SluiceConfig = (p) => baseConfig(p)) {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-keys-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dbPath = join(dir, 'policy.db');
  const config = configFor(dbPath);
  let now = new Date();
  const command = createKeysCommand({
    loadConfig: async (file) => {
      assert.equal(file, 'sluice.yaml');
      return config;
    },
    openStore: openConfiguredStore,
    now: () => now,
  });
  const run = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line) };
    const code = await main(['keys', ...args], io, [loadedEntry(command)]);
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const openStore = async () => {
    const store = await SqlitePolicyStore.open(dbPath, { masterKey: Buffer.from(MASTER_KEY, 'base64'), accountExists: () => true });
    t.after(() => store.close());
    return store;
  };
  return { run, dbPath, config, openStore, now: () => now, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

const C = ['--config', 'sluice.yaml'];

async function createJson(run: Awaited<ReturnType<typeof harness>>['run'], ...args: string[]) {
  const result = await run('create', ...C, '--account', 'research', '--label', 'laptop', '--json', ...args);
  assert.equal(result.code, 0, result.err);
  return JSON.parse(result.out) as Record<string, unknown> & { accessKeyId: string; secretAccessKey: string };
}

describe('sluice keys create', () => {
  it('prints a new key id and its secret once, and stores the secret so the server can read it', async (t) => {
    const { run, openStore } = await harness(t);
    const result = await run('create', ...C, '--account', 'research', '--label', 'laptop');
    assert.equal(result.code, 0, result.err);
    const id = /Access key id +(\S+)/.exec(result.out)?.[1];
    const secret = /Secret access key +(\S+)/.exec(result.out)?.[1];
    assert.ok(id && isAccessKeyId(id), result.out);
    assert.match(secret ?? '', /^[A-Za-z0-9+/]{40}$/);
    assert.match(result.out, /^Created an access key for account research \(laptop\)\./);
    assert.match(result.out, /Expires +never/);
    assert.match(result.out, /shown only now/);
    const audit = JSON.parse(result.err) as Record<string, string>;
    assert.deepEqual({ ...audit, time: undefined }, { level: 'info', msg: 'audit', event: 'access-key.created', time: undefined, accessKeyId: id, account: 'research', label: 'laptop' });
    assert.ok(!result.err.includes(secret!), 'the audit event never carries the secret');

    const record = await (await openStore()).getAccessKey(id!);
    assert.equal(record?.secretAccessKey, secret);
    assert.equal(record?.account, 'research');
    assert.equal(record?.label, 'laptop');
    assert.equal(record?.ceiling, undefined);
  });

  it('prints JSON for scripts with --json', async (t) => {
    const { run } = await harness(t);
    const created = await createJson(run);
    assert.deepEqual(Object.keys(created).sort(), ['accessKeyId', 'account', 'ceiling', 'createdAt', 'expiresAt', 'label', 'secretAccessKey']);
    assert.ok(isAccessKeyId(created.accessKeyId));
    assert.equal(created.account, 'research');
    assert.equal(created.expiresAt, null);
    assert.equal(created.ceiling, null);
  });

  it('builds the ceiling from --prefix (repeatable) and --read-only', async (t) => {
    const { run, openStore } = await harness(t);
    const both = await createJson(run, '--prefix', 'team/a', '--prefix', 'shared/', '--read-only');
    const prefixOnly = await createJson(run, '--prefix', 'team/a');
    const readOnly = await createJson(run, '--read-only');
    assert.deepEqual(both.ceiling, [{ bucket: '*', actions: ['read'], prefixes: ['team/a', 'shared/'] }]);
    assert.deepEqual(prefixOnly.ceiling, [{ bucket: '*', actions: ['read', 'write'], prefixes: ['team/a'] }]);
    assert.deepEqual(readOnly.ceiling, [{ bucket: '*', actions: ['read'] }]);
    const store = await openStore();
    assert.deepEqual((await store.getAccessKey(both.accessKeyId))?.ceiling, both.ceiling);
    assert.deepEqual((await store.getAccessKey(readOnly.accessKeyId))?.ceiling, readOnly.ceiling);
  });

  it('takes --expires as a lifetime, a UTC date or an ISO time', async (t) => {
    const { run, now } = await harness(t);
    assert.equal((await createJson(run, '--expires', '90d')).expiresAt, new Date(now().getTime() + 90 * 24 * HOUR).toISOString());
    assert.equal((await createJson(run, '--expires', '12h')).expiresAt, new Date(now().getTime() + 12 * HOUR).toISOString());
    assert.equal((await createJson(run, '--expires', '2999-01-01')).expiresAt, '2999-01-01T00:00:00.000Z');
    assert.equal((await createJson(run, '--expires', '2999-06-01T12:30:00+02:00')).expiresAt, '2999-06-01T10:30:00.000Z');
  });

  it('rejects expiries that are malformed or not in the future, with the usage', async (t) => {
    const { run } = await harness(t);
    for (const [value, message] of [
      ['tomorrow', /--expires takes a lifetime/],
      ['90m', /--expires takes a lifetime/],
      ['0d', /not in the future/],
      ['2001-01-01', /not in the future/],
      ['2999-02-30', /not a calendar date/],
      ['2999-01-01T00:00:00', /with a time zone/],
    ] as const) {
      const result = await run('create', ...C, '--account', 'research', '--label', 'x', '--expires', value);
      assert.equal(result.code, 2, value);
      assert.match(result.err, message, value);
      assert.match(result.err, /\n\nUsage: sluice keys create /);
    }
  });

  it('rejects prefixes that could not name keys', async (t) => {
    const { run } = await harness(t);
    for (const prefix of ['', '/abs']) {
      const result = await run('create', ...C, '--account', 'research', '--label', 'x', '--prefix', prefix);
      assert.equal(result.code, 2, prefix);
      assert.match(result.err, /^sluice keys create: --prefix /, prefix);
    }
  });

  it('accepts accounts from the file or the store and refuses others (exit 1)', async (t) => {
    const { run, openStore, dbPath } = await harness(t);
    const unknown = await run('create', ...C, '--account', 'nobody', '--label', 'x');
    assert.equal(unknown.code, 1);
    assert.equal(unknown.err, 'sluice keys create: no account named "nobody" in sluice.yaml or the policy store');
    assert.equal(unknown.out, '');
    assert.equal(existsSync(dbPath), false, 'a refused key leaves no database behind');
    await createJson(run);
    assert.equal((await run('create', ...C, '--account', 'nobody', '--label', 'x')).code, 1, 'refused by an existing database too');

    const store = await openStore();
    await store.putAccount('managed');
    const result = await run('create', ...C, '--account', 'managed', '--label', 'x', '--json');
    assert.equal(result.code, 0, result.err);
  });

  it('insists on --config, --account and --label', async (t) => {
    const { run } = await harness(t);
    assert.match((await run('create', '--account', 'research', '--label', 'x')).err, /^sluice keys create: missing --config FILE/);
    assert.match((await run('create', ...C, '--label', 'x')).err, /^sluice keys create: missing --account ACCOUNT/);
    const noLabel = await run('create', ...C, '--account', 'research');
    assert.equal(noLabel.code, 2);
    assert.match(noLabel.err, /^sluice keys create: missing --label LABEL/);
  });
});

describe('sluice keys list', () => {
  it('shows every key with its status and never a secret', async (t) => {
    const { run, openStore, advance } = await harness(t);
    const active = await createJson(run, '--label', 'active one');
    const expiring = await createJson(run, '--expires', '1h');
    const revoked = await createJson(run);
    const store = await openStore();
    await store.importAccessKey({ accessKeyId: 'SLAKDISABLEDAAAAAAAA', secretAccessKey: 'disabled-secret', account: 'research', label: 'off', status: 'disabled' });
    await store.recordKeyUse(active.accessKeyId, new Date('2031-02-03T04:05:00.000Z'));
    assert.equal((await run('revoke', ...C, revoked.accessKeyId)).code, 0);
    advance(2 * HOUR);

    const result = await run('list', ...C);
    assert.equal(result.code, 0, result.err);
    const lines = result.out.split('\n');
    assert.match(lines[0]!, /^ID +ACCOUNT +LABEL +STATUS +CREATED +EXPIRES +LAST USED$/);
    const statusOf = (id: string) => lines.find((l) => l.startsWith(id))?.split(/ {2,}/)[3];
    assert.equal(statusOf(active.accessKeyId), 'active');
    assert.equal(statusOf(expiring.accessKeyId), 'expired');
    assert.equal(statusOf(revoked.accessKeyId), 'revoked');
    assert.equal(statusOf('SLAKDISABLEDAAAAAAAA'), 'disabled');
    assert.match(lines.find((l) => l.startsWith(active.accessKeyId))!, /active one .* never +2031-02-03 04:05$/);
    for (const secret of [active.secretAccessKey, expiring.secretAccessKey, revoked.secretAccessKey, 'disabled-secret']) {
      assert.equal(result.out.includes(secret), false);
    }
  });

  it('filters by account and prints JSON without secrets', async (t) => {
    const { run, openStore } = await harness(t);
    const store = await openStore();
    await store.putAccount('other');
    const mine = await createJson(run);
    await run('create', ...C, '--account', 'other', '--label', 'theirs');
    const result = await run('list', ...C, '--account', 'research', '--json');
    assert.equal(result.code, 0, result.err);
    const keys = JSON.parse(result.out) as Record<string, unknown>[];
    assert.deepEqual(keys.map((k) => k.accessKeyId), [mine.accessKeyId]);
    assert.deepEqual(Object.keys(keys[0]!).sort(), ['accessKeyId', 'account', 'ceiling', 'createdAt', 'expiresAt', 'label', 'lastUsedAt', 'revokedAt', 'status']);
    assert.equal(keys[0]!.status, 'active');
    assert.equal(result.out.includes(mine.secretAccessKey), false);
    assert.equal((await run('list', ...C, '--account', 'nobody')).out, 'No access keys for account nobody.');
  });

  it('says there are no keys, without creating the database', async (t) => {
    const { run, dbPath } = await harness(t);
    const result = await run('list', ...C);
    assert.equal(result.code, 0);
    assert.equal(result.out, 'No access keys.');
    assert.equal(existsSync(dbPath), false);
    assert.equal((await run('list', ...C, '--json')).out, '[]');
  });
});

describe('sluice keys revoke', () => {
  it('revokes a key, says when a running server stops accepting it, and is idempotent', async (t) => {
    const { run, openStore } = await harness(t);
    const created = await createJson(run);
    const result = await run('revoke', ...C, created.accessKeyId);
    assert.equal(result.code, 0, result.err);
    assert.match(result.out, new RegExp(`^Revoked access key ${created.accessKeyId} \\(account research, laptop\\) at `));
    assert.match(result.out, /within 30 seconds \(policy.cacheTtlSeconds\)/);
    assert.ok((await (await openStore()).getAccessKey(created.accessKeyId))?.revokedAt instanceof Date);

    const again = await run('revoke', ...C, created.accessKeyId);
    assert.equal(again.code, 0);
    assert.match(again.out, /was already revoked on /);
  });

  it('exits 1 for a key that does not exist, or one the config file defines', async (t) => {
    const { run, dbPath } = await harness(t);
    const missing = await run('revoke', ...C, 'SLAKNOSUCHKEYAAAAAAA');
    assert.equal(missing.code, 1);
    assert.equal(missing.err, `sluice keys revoke: no access key SLAKNOSUCHKEYAAAAAAA in ${dbPath}`);
    assert.equal(existsSync(dbPath), false, 'revoking does not create the database');
    await createJson(run);
    assert.equal((await run('revoke', ...C, 'SLAKNOSUCHKEYAAAAAAA')).code, 1);

    const fromFile = await run('revoke', ...C, 'AKIAFROMTHEFILE00000');
    assert.equal(fromFile.code, 1);
    assert.match(fromFile.err, /is defined in sluice.yaml; remove it there/);
  });

  it('takes exactly one ID', async (t) => {
    const { run } = await harness(t);
    assert.match((await run('revoke', ...C)).err, /^sluice keys revoke: missing the access key ID\n\nUsage: sluice keys revoke/);
    const two = await run('revoke', ...C, 'A', 'B');
    assert.equal(two.code, 2);
    assert.match(two.err, /expected exactly one access key ID/);
  });
});

describe('sluice keys setup problems', () => {
  it('explains a configuration without a SQLite store or master key (exit 1)', async (t) => {
    const noStore = await harness(t, () => baseConfig(undefined));
    const result = await noStore.run('list', ...C);
    assert.equal(result.code, 1);
    assert.match(result.err, /^sluice keys list: sluice.yaml has no policy.sqlitePath/);

    const noKey = await harness(t, (p) => ({ ...baseConfig(p), policy: { cacheTtlSeconds: 30, sqlitePath: p } }));
    const missingKey = await noKey.run('create', ...C, '--account', 'research', '--label', 'x');
    assert.equal(missingKey.code, 1);
    assert.match(missingKey.err, /has no policy.masterKey.*openssl rand -base64 32/);
    assert.equal(existsSync(noKey.dbPath), false);

    const badKey = await harness(t, (p) => baseConfig(p, { masterKey: 'c2hvcnQ=' }));
    const shortKey = await badKey.run('list', ...C);
    assert.equal(shortKey.code, 1);
    assert.match(shortKey.err, /^sluice keys list: policy.masterKey: the master key must be 32 bytes/);
  });

  it('refuses a master key that does not match the database (exit 1)', async (t) => {
    const first = await harness(t);
    await createJson(first.run);
    const { config } = first;
    const other = createKeysCommand({
      loadConfig: async () => ({ ...config, policy: { ...config.policy, masterKey: OTHER_MASTER_KEY } }),
      openStore: openConfiguredStore,
      now: () => new Date(),
    });
    const err: string[] = [];
    const code = await main(['keys', 'list', ...C], { out: () => {}, err: (l) => err.push(l) }, [loadedEntry(other)]);
    assert.equal(code, 1);
    assert.match(err.join('\n'), /^sluice keys list: the master key does not match the one .*policy\.db was created with/);
  });
});

describe('sluice keys usage', () => {
  it('prints help for keys and each subcommand', async (t) => {
    const { run } = await harness(t);
    for (const [args, usage] of [
      [['--help'], /^Usage: sluice keys <create\|list\|revoke>/],
      [['help'], /^Usage: sluice keys <create\|list\|revoke>/],
      [['create', '--help'], /^Usage: sluice keys create --config FILE --account ACCOUNT --label LABEL/],
      [['list', '-h'], /^Usage: sluice keys list --config FILE/],
      [['help', 'revoke'], /^Usage: sluice keys revoke --config FILE ID/],
    ] as const) {
      const result = await run(...args);
      assert.equal(result.code, 0, args.join(' '));
      assert.match(result.out, usage, args.join(' '));
    }
  });

  it('exits 2 with the right usage for unknown options and subcommands', async (t) => {
    const { run } = await harness(t);
    const cases = [
      [['create', ...C, '--acount', 'research'], /^sluice keys create: unknown option --acount\n\nUsage: sluice keys create/],
      [['list', ...C, '--all'], /^sluice keys list: unknown option --all\n\nUsage: sluice keys list/],
      [['revoke', '--force', ...C, 'X'], /^sluice keys revoke: unknown option --force\n\nUsage: sluice keys revoke/],
      [['list', ...C, 'extra'], /^sluice keys list: unexpected argument extra/],
      [['rotate'], /^sluice keys: unknown subcommand "rotate"\n\nUsage: sluice keys/],
      [[], /^sluice keys: missing subcommand/],
      [['--json'], /^sluice keys: unknown option --json/],
    ] as const;
    for (const [args, message] of cases) {
      const result = await run(...args);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.err, message, args.join(' '));
    }
  });
});
