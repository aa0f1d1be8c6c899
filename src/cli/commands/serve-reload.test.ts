import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { SERVER_LIMIT_DEFAULTS } from '../../config/server-limits.ts';
import type { SluiceConfig } from '../../core/config.ts';
import { ConfigError } from '../../core/errors/config-error.ts';
import { UsageError, type CliIo } from '../command.ts';
import { createServeCommand, type ServeDependencies } from './serve.ts';
import { workerArgs } from './serve-workers.ts';

const config: SluiceConfig = {
  server: { listen: '127.0.0.1:9000', addressing: 'path', region: 'us-east-1', accessLog: true, shutdownGraceSeconds: 30, ...SERVER_LIMIT_DEFAULTS },
  connections: {},
  buckets: [],
  accounts: [],
  accessKeys: [],
  policy: { cacheTtlSeconds: 30 },
};

const tick = () => new Promise((resolve) => setImmediate(resolve));

function harness(loadConfig: ServeDependencies['loadConfig'], extra: Partial<ServeDependencies> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line) };
  const signals = new EventEmitter();
  const reloads: SluiceConfig[] = [];
  const deps: ServeDependencies = {
    loadConfig,
    startServer: async () => ({
      url: 'http://127.0.0.1:9000',
      close: async () => {},
      reload: async (next) => void reloads.push(next),
    }),
    signals: signals as unknown as ServeDependencies['signals'],
    exit: () => {},
    ...extra,
  };
  return { command: createServeCommand(deps), io, out, err, signals, reloads };
}

describe('serve: reload on SIGHUP', () => {
  it('re-reads the file and swaps the new configuration in, on every SIGHUP', async () => {
    let version = 0;
    const h = harness(async () => ({ ...config, buckets: [{ name: `v${version++}`, connection: 'm', prefix: '', public: true, readOnly: false }] }));
    const running = h.command.run(['--config', 'sluice.yaml'], h.io);
    await tick();
    h.signals.emit('SIGHUP');
    await tick();
    h.signals.emit('SIGHUP');
    await tick();
    await tick();
    assert.deepEqual(h.reloads.map((c) => c.buckets[0]!.name), ['v1', 'v2']);
    assert.deepEqual(h.out.slice(1).map((line) => JSON.parse(line).msg), ['reloaded', 'reloaded']);
    h.signals.emit('SIGTERM');
    assert.equal(await running, 0);
    assert.equal(h.signals.listenerCount('SIGHUP'), 0, 'no reload listener left behind');
  });

  it('keeps the running configuration when the new file is invalid, and logs every problem', async () => {
    let calls = 0;
    const h = harness(async () => {
      if (calls++ === 0) return config;
      throw new ConfigError([{ source: 'sluice.yaml', path: 'buckets.x.connection', message: 'no such connection' }]);
    });
    const running = h.command.run(['--config', 'sluice.yaml'], h.io);
    await tick();
    h.signals.emit('SIGHUP');
    await tick();
    await tick();
    assert.deepEqual(h.reloads, []);
    const line = JSON.parse(h.err[0]!);
    assert.equal(line.msg, 'reload refused: the configuration is invalid; keeping the running one');
    assert.deepEqual(line.problems, ['sluice.yaml: buckets.x.connection: no such connection']);
    h.signals.emit('SIGTERM');
    assert.equal(await running, 0);
  });

  it('keeps the running configuration when the server cannot build the new one', async () => {
    const h = harness(async () => config, {
      startServer: async () => ({ url: 'http://x', close: async () => {}, reload: async () => { throw new Error('policy.postgresUrl: connection refused'); } }),
    });
    const running = h.command.run(['--config', 'sluice.yaml'], h.io);
    await tick();
    h.signals.emit('SIGHUP');
    await tick();
    await tick();
    assert.deepEqual(JSON.parse(h.err[0]!), { level: 'error', msg: 'reload failed; keeping the running configuration', error: 'policy.postgresUrl: connection refused' });
    h.signals.emit('SIGTERM');
    assert.equal(await running, 0);
  });
});

describe('serve --workers', () => {
  it('hands a valid configuration to the supervisor with the worker count', async () => {
    const asked: number[] = [];
    const h = harness(async () => config, { runWorkers: async (n) => (asked.push(n), 0) });
    assert.equal(await h.command.run(['--config', 'sluice.yaml', '--workers', '3'], h.io), 0);
    assert.deepEqual(asked, [3]);
  });

  it('checks the configuration before starting any worker', async () => {
    const asked: number[] = [];
    const h = harness(async () => { throw new ConfigError([{ source: 'x.yaml', path: 'server', message: 'bad' }]); }, { runWorkers: async (n) => (asked.push(n), 0) });
    assert.equal(await h.command.run(['--config', 'x.yaml', '--workers', '2'], h.io), 1);
    assert.deepEqual(asked, []);
  });

  it('refuses a worker count that is not 1 to 64', async () => {
    const h = harness(async () => config, { runWorkers: async () => 0 });
    for (const bad of ['0', '65', 'two', '1.5', '-1']) {
      await assert.rejects(h.command.run(['--config', 'x.yaml', `--workers=${bad}`], h.io), (e) => e instanceof UsageError && /--workers must be a whole number from 1 to 64/.test(e.message), bad);
    }
  });

  it('runs workers with the same arguments, without --workers', () => {
    assert.deepEqual(workerArgs(['serve', '--config', 'a.yaml', '--workers', '4', '--listen', 'h:1']), ['serve', '--config', 'a.yaml', '--listen', 'h:1']);
    assert.deepEqual(workerArgs(['serve', '-w', '2', '-c', 'a.yaml']), ['serve', '-c', 'a.yaml']);
    assert.deepEqual(workerArgs(['serve', '--workers=2', '-c', 'a.yaml']), ['serve', '-c', 'a.yaml']);
  });
});
