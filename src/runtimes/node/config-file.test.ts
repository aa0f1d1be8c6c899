import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../core/errors/config-error.ts';
import { configFormatFor, loadConfigFile } from './config-file.ts';

let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-config-'));
  await mkdir(join(dir, 'data'));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ConfigError');
}

describe('configFormatFor', () => {
  it('reads .json as JSON and everything else as YAML', () => {
    assert.equal(configFormatFor('a/sluice.json'), 'json');
    assert.equal(configFormatFor('a/sluice.JSON'), 'json');
    assert.equal(configFormatFor('a/sluice.yaml'), 'yaml');
    assert.equal(configFormatFor('a/sluice.yml'), 'yaml');
    assert.equal(configFormatFor('a/sluice.conf'), 'yaml');
  });
});

describe('loadConfigFile', () => {
  it('loads YAML and resolves fs roots against the file’s folder', async () => {
    const path = await write(
      'ok.yaml',
      'connections:\n  local:\n    type: fs\n    root: data\nbuckets:\n  example:\n    connection: local\n    public: true\n',
    );
    const config = await loadConfigFile(path);
    assert.deepEqual(config.connections.local, { type: 'fs', name: 'local', root: join(dir, 'data'), readOnly: false });
    assert.equal(config.buckets[0]!.public, true);
  });

  it('loads JSON by extension', async () => {
    const path = await write('ok.json', JSON.stringify({ connections: { m: { type: 'memory' } }, buckets: { abc: { connection: 'm' } } }));
    const config = await loadConfigFile(path);
    assert.deepEqual(config.buckets.map((b) => b.name), ['abc']);
  });

  it('parses other extensions as YAML', async () => {
    const path = await write('sluice.conf', 'server:\n  listen: 127.0.0.1:9100\n');
    assert.equal((await loadConfigFile(path)).server.listen, '127.0.0.1:9100');
  });

  it('takes ${env:NAME} values from the environment it is given', async () => {
    const path = await write('env.yaml', 'server:\n  tokenSecret: ${env:SLUICE_TEST_SECRET}\n');
    const config = await loadConfigFile(path, { SLUICE_TEST_SECRET: 'k'.repeat(32) });
    assert.equal(config.server.tokenSecret, 'k'.repeat(32));
    const error = await rejection(loadConfigFile(path, {}));
    assert.equal(error.message, `${path}: server.tokenSecret: environment variable SLUICE_TEST_SECRET is not set`);
  });

  it('uses process.env by default', async () => {
    const path = await write('process-env.yaml', 'server:\n  region: ${env:SLUICE_TEST_REGION}\n');
    process.env.SLUICE_TEST_REGION = 'eu-north-1';
    try {
      assert.equal((await loadConfigFile(path)).server.region, 'eu-north-1');
    } finally {
      delete process.env.SLUICE_TEST_REGION;
    }
  });

  it('reports missing roots and roots that are files, alongside schema problems', async () => {
    await write('a-file', 'not a folder');
    const path = await write(
      'roots.yaml',
      [
        'server:',
        '  listen: nope',
        'connections:',
        '  gone: { type: fs, root: missing-folder }',
        '  file: { type: fs, root: a-file }',
        '  fine: { type: fs, root: data }',
      ].join('\n'),
    );
    const error = await rejection(loadConfigFile(path));
    assert.deepEqual(
      error.problems.map((p) => `${p.path}: ${p.message}`),
      [
        'server.listen: must be host:port, e.g. 127.0.0.1:9000, 0.0.0.0:9000 or [::1]:9000',
        `connections.gone.root: ${join(dir, 'missing-folder')}: no such file or directory`,
        `connections.file.root: ${join(dir, 'a-file')} is not a directory`,
      ],
    );
  });

  it('reports a file that cannot be read', async () => {
    const path = join(dir, 'does-not-exist.yaml');
    const error = await rejection(loadConfigFile(path));
    assert.deepEqual(error.problems, [{ source: path, path: '', message: 'cannot read the file: no such file or directory' }]);
  });

  it('reports YAML syntax errors with the file name and position', async () => {
    const path = await write('broken.yaml', 'server:\n  listen: a: b\n');
    const error = await rejection(loadConfigFile(path));
    assert.match(error.message, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2:11: YAML syntax error: `));
  });
  it('loads every section: s3 connections, accounts, access keys and the policy store', async () => {
    const masterKey = Buffer.alloc(32, 7).toString('base64');
    const env = {
      LANDSAT_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
      LANDSAT_SECRET: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      RESEARCH_KEY_SECRET: 'research-secret-0123456789',
      SLUICE_MASTER_KEY: masterKey,
    };
    const path = await write(
      'full.yaml',
      `
connections:
  landsat:
    type: s3
    endpoint: https://s3.us-west-2.amazonaws.com
    region: us-west-2
    bucket: landsat-pds
    prefix: scenes
    readOnly: true
    credentials:
      accessKeyId: \${env:LANDSAT_KEY_ID}
      secretAccessKey: \${env:LANDSAT_SECRET}
  local:
    type: fs
    root: data
buckets:
  landsat:
    connection: landsat
    public: true
  climate:
    connection: local
accounts:
  research:
    grants:
      - bucket: climate
        actions: [read, write]
        prefixes: [data, models/2024]
      - bucket: "*"
        actions: [read]
accessKeys:
  SLAKEXAMPLEKEYAAAAAA:
    secret: \${env:RESEARCH_KEY_SECRET}
    account: research
    label: hpc-cluster
    expires: 2027-06-30
    disabled: false
    ceiling:
      - bucket: "*"
        actions: [read]
policy:
  sqlitePath: sluice.db
  masterKey: \${env:SLUICE_MASTER_KEY}
  cacheTtlSeconds: 10
`,
    );
    const config = await loadConfigFile(path, env);
    assert.deepEqual(config.connections.landsat, {
      type: 's3',
      name: 'landsat',
      endpoint: 'https://s3.us-west-2.amazonaws.com',
      region: 'us-west-2',
      bucket: 'landsat-pds',
      forcePathStyle: false,
      prefix: 'scenes/',
      readOnly: true,
      credentials: { accessKeyId: env.LANDSAT_KEY_ID, secretAccessKey: env.LANDSAT_SECRET },
    });
    assert.deepEqual(config.accounts, [
      {
        name: 'research',
        grants: [
          { bucket: 'climate', actions: ['read', 'write'], prefixes: ['data', 'models/2024'] },
          { bucket: '*', actions: ['read'] },
        ],
      },
    ]);
    assert.deepEqual(config.accessKeys, [
      {
        accessKeyId: 'SLAKEXAMPLEKEYAAAAAA',
        secretAccessKey: env.RESEARCH_KEY_SECRET,
        account: 'research',
        label: 'hpc-cluster',
        status: 'active',
        // YAML 1.2 keeps the date a string; the loader reads it as 00:00 UTC.
        expiresAt: new Date('2027-06-30T00:00:00Z'),
        ceiling: [{ bucket: '*', actions: ['read'] }],
      },
    ]);
    assert.deepEqual(config.policy, { sqlitePath: join(dir, 'sluice.db'), masterKey, cacheTtlSeconds: 10 });
  });

  it('reports problems in the new sections without repeating secrets from the environment', async () => {
    const secret = 'tooShort+/';
    const path = await write(
      'bad-policy.yaml',
      [
        'connections:',
        '  landsat: { type: s3, endpoint: "${env:SECRET}", region: us-west-2, bucket: landsat-pds }',
        'accessKeys:',
        '  SLAKEXAMPLEKEYAAAAAA: { secret: "${env:SECRET}", account: research }',
        'policy:',
        '  sqlitePath: sluice.db',
        '  masterKey: ${env:SECRET}',
      ].join('\n'),
    );
    const error = await rejection(loadConfigFile(path, { SECRET: secret }));
    assert.deepEqual(
      error.problems.map((p) => `${p.path}: ${p.message}`),
      [
        'connections.landsat.endpoint: must be an http or https URL such as https://s3.us-west-2.amazonaws.com',
        'accessKeys.SLAKEXAMPLEKEYAAAAAA.secret: must be at least 16 characters',
        'policy.masterKey: must be 32 random bytes written as base64 (e.g. the output of `openssl rand -base64 32`)',
      ],
    );
    assert.equal(error.message.includes(secret), false);
  });
});
