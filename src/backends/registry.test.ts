/** Tests for backend registries: lookup by type, start-up errors, and the portable registry's kinds. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validateConfig } from '../config/validate.ts';
import { bytesBody } from '../core/body.ts';
import { ConfigError } from '../core/errors/config-error.ts';
import type { HttpClient } from '../core/http.ts';
import { z } from 'zod';
import { connectionSchema } from '../config/connection-schema.ts';
import { nonEmpty } from '../config/schema-parts.ts';
import { MemoryBackend } from './memory/memory-backend.ts';
import { memoryBackendPlugin } from './memory/plugin.ts';
import { type BackendServices, defineBackendPlugin } from './plugin.ts';
import { portableBackends } from './portable-registry.ts';
import { createBackendRegistry, createBackends } from './registry.ts';

const unusedHttp: HttpClient = { request: () => Promise.reject(new Error('no HTTP in this test')) };

function services(overrides: Partial<BackendServices> = {}): BackendServices {
  return { httpClient: () => unusedHttp, now: () => new Date('2024-05-01T12:00:00Z'), log: { write: () => {} }, ...overrides };
}

describe('createBackendRegistry', () => {
  it('finds plug-ins by type and refuses a type registered twice', () => {
    const registry = createBackendRegistry([memoryBackendPlugin]);
    assert.equal(registry.get('memory'), memoryBackendPlugin);
    assert.equal(registry.get('fs'), undefined);
    assert.throws(() => createBackendRegistry([memoryBackendPlugin, memoryBackendPlugin]), /backend type memory is registered twice/);
  });
});

describe('createBackends', () => {
  it('passes the services on: a memory backend stamps objects with the runtime clock', async () => {
    const backends = createBackends({ scratch: { type: 'memory', name: 'scratch', readOnly: false } }, portableBackends, services());
    const scratch = backends.get('scratch')!;
    await scratch.put('k', bytesBody('x'), { metadata: {} });
    assert.equal((await scratch.head('k')).lastModified.toISOString(), '2024-05-01T12:00:00.000Z');
  });

  it('names the available types when a connection has a type this runtime lacks', () => {
    assert.throws(
      () => createBackends({ disk: { type: 'fs', name: 'disk', readOnly: false, root: '/srv' } }, portableBackends, services()),
      { name: 'TypeError', message: 'connection disk: no backend of type fs in this runtime (available: memory, s3, azure, gcs)' },
    );
  });

  it('builds S3 backends over the runtime HTTP client, asking for it only when needed', () => {
    let asked = 0;
    const counting = services({ httpClient: () => (asked++, unusedHttp) });
    createBackends({ scratch: { type: 'memory', name: 'scratch', readOnly: false } }, portableBackends, counting);
    assert.equal(asked, 0);
    const s3 = { type: 's3', name: 'data', readOnly: true, endpoint: 'https://s3.example.com', region: 'us-east-1', bucket: 'data', forcePathStyle: true, prefix: '' };
    assert.equal(createBackends({ data: s3 }, portableBackends, counting).get('data')!.kind, 's3');
    assert.equal(asked, 1);
  });
});

describe('validation with the portable registry', () => {
  it('accepts memory, s3 and azure connections and rejects fs, naming the kinds it has', () => {
    const options = { source: 'sluice.yaml', baseDir: '/srv', env: {}, backends: portableBackends };
    const config = validateConfig({ connections: { scratch: { type: 'memory' } } }, options);
    assert.deepEqual(config.connections.scratch, { type: 'memory', readOnly: false, name: 'scratch' });
    assert.throws(
      () => validateConfig({ connections: { disk: { type: 'fs', root: 'data' } } }, options),
      (error: unknown) =>
        error instanceof ConfigError && error.problems.map((p) => `${p.path}: ${p.message}`).join('\n') === 'connections.disk.type: must be one of "azure", "gcs", "memory", "s3"',
    );
  });
});

describe('a newly registered kind', () => {
  // What a new backend folder would export: settings with a nested mapping and a local directory.
  const archiveSchema = connectionSchema('archive', {
    cacheDir: nonEmpty('cacheDir'),
    tier: z.strictObject({ name: z.enum(['cold', 'warm']), retentionDays: z.number().int().min(1).default(30) }),
  });
  const created: string[] = [];
  const archivePlugin = defineBackendPlugin({
    type: 'archive',
    configSchema: archiveSchema,
    directories: ['cacheDir'],
    create: (connection) => {
      created.push(`${connection.name} ${connection.cacheDir} ${connection.tier.name} ${connection.tier.retentionDays}`);
      return new MemoryBackend({ readOnly: connection.readOnly });
    },
  });
  const registry = createBackendRegistry([...portableBackends.plugins, archivePlugin]);
  const options = { source: 'sluice.yaml', baseDir: '/srv/sluice', env: {}, backends: registry };
  const linesOf = (document: unknown, checkDirectory?: (path: string) => string | undefined) => {
    try {
      validateConfig(document, { ...options, ...(checkDirectory && { checkDirectory }) });
    } catch (error) {
      if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
      throw error;
    }
    return [];
  };

  it('is validated, path-resolved and built like the built-in kinds', () => {
    const config = validateConfig({ connections: { cold: { type: 'archive', cacheDir: 'cache', tier: { name: 'cold' } } } }, options);
    assert.deepEqual(config.connections.cold, {
      type: 'archive',
      name: 'cold',
      readOnly: false,
      cacheDir: '/srv/sluice/cache',
      tier: { name: 'cold', retentionDays: 30 },
    });
    assert.equal(createBackends(config.connections, registry, services()).get('cold')!.kind, 'memory');
    assert.deepEqual(created, ['cold /srv/sluice/cache cold 30']);
  });

  it('gets the same problem reports: every problem at once, hints for nested fields, directory checks', () => {
    assert.deepEqual(
      linesOf(
        { connections: { cold: { type: 'archive', cacheDir: 'cache', tier: { name: 'frozen', retentionDay: 7 } }, odd: { type: 'tape' } } },
        (path) => `${path}: no such directory`,
      ),
      [
        'connections.cold.tier.name: must be one of "cold", "warm"',
        'connections.cold.tier.retentionDay: unknown field (did you mean "retentionDays"?)',
        'connections.cold.cacheDir: /srv/sluice/cache: no such directory',
        'connections.odd.type: must be one of "archive", "azure", "gcs", "memory", "s3"',
      ],
    );
  });
});
