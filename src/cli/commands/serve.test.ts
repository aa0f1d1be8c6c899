import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { SluiceConfig } from '../../core/config.ts';
import { ConfigError } from '../../core/errors/config-error.ts';
import { UsageError, type CliIo } from '../command.ts';
import { createServeCommand, type ServeDependencies } from './serve.ts';
import { SERVER_LIMIT_DEFAULTS } from '../../config/server-limits.ts';

const config: SluiceConfig = {
  server: { listen: '127.0.0.1:9000', addressing: 'path', region: 'us-east-1', accessLog: true, shutdownGraceSeconds: 30, ...SERVER_LIMIT_DEFAULTS },
  connections: {},
  buckets: [],
  accounts: [],
  accessKeys: [],
  policy: { cacheTtlSeconds: 30 },
};

function harness(overrides: Partial<ServeDependencies> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { out: (line) => out.push(line), err: (line) => err.push(line) };
  const signals = new EventEmitter();
  const exits: number[] = [];
  const calls: { config: SluiceConfig; options?: { listen?: string } }[] = [];
  let closes = 0;
  let finishClose: () => void = () => {};
  const deps: ServeDependencies = {
    loadConfig: async () => config,
    startServer: async (cfg, options) => {
      calls.push({ config: cfg, ...(options && { options }) });
      return {
        url: 'http://127.0.0.1:9000',
        close: () => {
          closes++;
          return new Promise<void>((resolve) => {
            finishClose = resolve;
          });
        },
      };
    },
    signals: signals as unknown as ServeDependencies['signals'],
    exit: (code) => exits.push(code),
    ...overrides,
  };
  return { command: createServeCommand(deps), io, out, err, signals, exits, calls, closes: () => closes, finishClose: () => finishClose() };
}

/** Let pending promise callbacks run. */
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('serve command', () => {
  it('starts the server, logs the URL as a JSON line, and on SIGTERM closes and exits 0', async () => {
    const h = harness();
    const running = h.command.run(['--config', 'sluice.yaml'], h.io);
    await tick();
    assert.deepEqual(h.out.map((line) => JSON.parse(line)), [{ level: 'info', msg: 'listening', url: 'http://127.0.0.1:9000' }]);
    assert.deepEqual(h.calls, [{ config, options: {} }]);
    h.signals.emit('SIGTERM');
    await tick();
    assert.equal(h.closes(), 1);
    h.finishClose();
    assert.equal(await running, 0);
    assert.deepEqual(h.out.slice(1).map((line) => JSON.parse(line).msg), ['shutting down', 'stopped']);
    assert.deepEqual(h.exits, []);
    assert.equal(h.signals.listenerCount('SIGTERM') + h.signals.listenerCount('SIGINT'), 0);
  });

  it('handles SIGINT like SIGTERM', async () => {
    const h = harness();
    const running = h.command.run(['-c', 'sluice.yaml'], h.io);
    await tick();
    h.signals.emit('SIGINT');
    await tick();
    h.finishClose();
    assert.equal(await running, 0);
    assert.equal(JSON.parse(h.out[1]!).signal, 'SIGINT');
  });

  it('exits at once with 1 on a second signal while draining', async () => {
    const h = harness();
    void h.command.run(['--config', 'sluice.yaml'], h.io);
    await tick();
    h.signals.emit('SIGTERM');
    await tick();
    h.signals.emit('SIGINT');
    assert.deepEqual(h.exits, [1]);
    h.finishClose();
  });

  it('passes --listen through to the server', async () => {
    const h = harness();
    void h.command.run(['--config', 'sluice.yaml', '--listen', '127.0.0.1:0'], h.io);
    await tick();
    assert.deepEqual(h.calls[0]!.options, { listen: '127.0.0.1:0' });
    h.signals.emit('SIGTERM');
    await tick();
    h.finishClose();
  });

  it('rejects a malformed --listen and a missing --config as usage errors', async () => {
    const h = harness();
    await assert.rejects(h.command.run(['--config', 'x.yaml', '--listen', '9000'], h.io), (e) => e instanceof UsageError && /--listen must be host:port/.test(e.message));
    await assert.rejects(h.command.run([], h.io), (e) => e instanceof UsageError && e.message === 'missing --config FILE');
    await assert.rejects(h.command.run(['--config', 'x.yaml', 'extra'], h.io), (e) => e instanceof UsageError && e.message === 'unexpected argument extra');
    await assert.rejects(h.command.run(['--port', '1'], h.io), (e) => e instanceof UsageError && e.message === 'unknown option --port');
    assert.equal(h.calls.length, 0);
  });

  it('prints every configuration problem and exits 1 without starting', async () => {
    const h = harness({
      loadConfig: async () => {
        throw new ConfigError([
          { source: 'bad.yaml', path: 'server.listen', message: 'must be host:port' },
          { source: 'bad.yaml', path: 'buckets.x.connection', message: 'no such connection' },
        ]);
      },
    });
    assert.equal(await h.command.run(['--config', 'bad.yaml'], h.io), 1);
    assert.deepEqual(h.err, ['bad.yaml: server.listen: must be host:port', 'bad.yaml: buckets.x.connection: no such connection', '2 problems found']);
    assert.equal(h.calls.length, 0);
  });

  it('logs a failed start as a JSON error line and exits 1', async () => {
    const h = harness({
      startServer: async () => {
        throw new Error('listen EADDRINUSE: address already in use 127.0.0.1:9000');
      },
    });
    assert.equal(await h.command.run(['--config', 'sluice.yaml'], h.io), 1);
    assert.deepEqual(JSON.parse(h.err[0]!), { level: 'error', msg: 'failed to start', error: 'listen EADDRINUSE: address already in use 127.0.0.1:9000' });
  });

  it('prints its help for --help and -h without starting anything', async () => {
    for (const flag of ['--help', '-h']) {
      const h = harness();
      assert.equal(await h.command.run([flag], h.io), 0);
      assert.match(h.out.join('\n'), /^Usage: sluice serve --config FILE \[--listen HOST:PORT\]/);
      assert.equal(h.calls.length, 0);
    }
  });
});
