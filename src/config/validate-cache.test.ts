/**
 * Validation of the hot-range cache sections on connections and buckets:
 * defaults left to the merge, every problem reported at once, disk folders
 * resolved and refused where the runtime has no disk.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WORKERS_RUNTIME } from '../runtimes/workers/config.ts';
import { portableBackends } from '../backends/portable-registry.ts';
import { effectiveCacheSettings } from '../core/range-cache/settings.ts';
import { linesOf, options } from './validate.test-helper.ts';
import { validateConfig } from './validate.ts';

const MiB = 1024 * 1024;
const origin = { type: 's3', endpoint: 'http://127.0.0.1:9000', region: 'us-east-1', bucket: 'tiles', forcePathStyle: true };

describe('validateConfig cache sections', () => {
  it('accepts a connection section and a bucket section, resolving disk folders against the config folder', () => {
    const config = validateConfig({
      connections: { origin: { ...origin, cache: { chunkSize: 8 * MiB, memory: { maxBytes: 512 * MiB }, disk: { path: 'cache/origin', maxBytes: 4096 * MiB } } } },
      buckets: {
        tiles: { connection: 'origin', public: true },
        archive: { connection: 'origin', cache: { includePrivate: true, maxSpan: 64 * MiB } },
        quiet: { connection: 'origin', cache: { enabled: false } },
      },
    }, options);
    assert.deepEqual(config.connections.origin!.cache, {
      chunkSize: 8 * MiB, memory: { maxBytes: 512 * MiB }, disk: { path: '/srv/sluice/cache/origin', maxBytes: 4096 * MiB },
    });
    const [tiles, archive, quiet] = config.buckets;
    assert.deepEqual(effectiveCacheSettings(config.connections.origin, tiles!), {
      chunkSize: 8 * MiB, maxSpan: 32 * MiB, includePrivate: false, metadataTtlMs: 5000,
      memory: { maxBytes: 512 * MiB }, disk: { path: '/srv/sluice/cache/origin', maxBytes: 4096 * MiB }, tierScope: 'connection:origin',
    });
    const merged = effectiveCacheSettings(config.connections.origin, archive!);
    assert.equal(merged?.includePrivate, true);
    assert.equal(merged?.maxSpan, 64 * MiB);
    assert.equal(merged?.tierScope, 'connection:origin', 'no tiers of its own: the connection\'s');
    assert.equal(effectiveCacheSettings(config.connections.origin, quiet!), undefined);
  });

  it('leaves the cache off where no section names it', () => {
    const config = validateConfig({ connections: { origin }, buckets: { tiles: { connection: 'origin' } } }, options);
    assert.equal(effectiveCacheSettings(config.connections.origin, config.buckets[0]!), undefined);
  });

  it('a bucket naming tiers gets tiers of its own', () => {
    const config = validateConfig({
      connections: { origin: { ...origin, cache: {} } },
      buckets: { tiles: { connection: 'origin', account: 'geo', cache: { memory: { maxBytes: 64 * MiB } } } },
    }, options);
    const settings = effectiveCacheSettings(config.connections.origin, config.buckets[0]!);
    assert.equal(settings?.tierScope, 'bucket:geo/tiles');
    assert.equal(settings?.memory.maxBytes, 64 * MiB);
  });

  it('reports every problem at once', () => {
    const lines = linesOf({
      connections: {
        origin: {
          ...origin,
          cache: {
            enabled: 'yes', chunkSize: 1000, maxSpan: 0, metadataTtlSeconds: -1, colour: 'red',
            memory: { maxBytes: 1.5 }, disk: { path: '', maxBytes: 10 },
          },
        },
        other: { ...origin, cache: { chunkSize: 4 * MiB, memory: { maxBytes: MiB }, disk: { path: '/var/cache/sluice', maxBytes: 2 * MiB } } },
        third: { ...origin, cache: { disk: { path: '/var/cache/sluice', maxBytes: 32 * MiB } } },
      },
      buckets: {
        big: { connection: 'third', cache: { chunkSize: 64 * MiB } },
      },
    });
    const expected = [
      /^connections\.origin\.cache\.enabled: /,
      /^connections\.origin\.cache\.chunkSize: chunkSize must be at least 65536 bytes/,
      /^connections\.origin\.cache\.maxSpan: maxSpan must be at least 1 byte$/,
      /^connections\.origin\.cache\.metadataTtlSeconds: /,
      /^connections\.origin\.cache\.colour: /,
      /^connections\.origin\.cache\.memory\.maxBytes: memory\.maxBytes must be a whole number of bytes/,
      /^connections\.origin\.cache\.disk\.path: disk\.path must not be empty/,
      /^connections\.other\.cache\.disk\.maxBytes: smaller than one chunk/,
      /^connections\.other\.cache\.memory\.maxBytes: smaller than one chunk/,
      /^connections\.third\.cache\.disk\.path: the same folder as connections\.other\.cache\.disk\.path/,
      /^buckets\.big\.cache\.chunkSize: larger than connection third's cache\.disk\.maxBytes/,
    ];
    for (const pattern of expected) assert.ok(lines.some((line) => pattern.test(line)), `${pattern} in\n${lines.join('\n')}`);
  });

  it('refuses a disk tier on Workers, naming the runtime, and keeps the connection\'s other problems', () => {
    const lines = linesOf({
      connections: { origin: { ...origin, region: undefined, cache: { disk: { path: '/tmp/c', maxBytes: 64 * MiB } } } },
      buckets: { tiles: { connection: 'origin', cache: { disk: { path: '/tmp/d', maxBytes: 64 * MiB } } } },
    }, { backends: portableBackends, runtime: WORKERS_RUNTIME });
    assert.ok(lines.includes('connections.origin.cache.disk: not available on Cloudflare Workers: a Worker has no local disk; its hot-range cache is the Cache API (leave out cache.disk)'), lines.join('\n'));
    assert.ok(lines.some((line) => line.startsWith('buckets.tiles.cache.disk: not available on Cloudflare Workers')), lines.join('\n'));
    assert.ok(lines.some((line) => line.startsWith('connections.origin.region')), lines.join('\n'));
  });
});
