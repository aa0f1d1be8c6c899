/**
 * The Workers handler, run in Node (it is portable): configuration from the
 * binding with secrets from other bindings, runtime limits named at
 * validation, the up-front body limit, a failed start answered as an opaque
 * 500, and background work handed to `ctx.waitUntil`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError } from '../../core/errors/config-error.ts';
import { createBackgroundWork } from './background.ts';
import { DEFAULT_MAX_REQUEST_BODY_BYTES, maxRequestBodyBytes } from './body-limit.ts';
import { loadWorkersConfig, stringBindings } from './config.ts';
import { createWorker } from './worker.ts';

const MEMORY_CONFIG = `
server: { accessLog: true }
connections:
  main: { type: memory }
buckets:
  open-data: { connection: main, public: true }
accounts:
  research: { grants: [{ bucket: open-data, actions: [read, write] }] }
accessKeys:
  SLAKWORKERSTEST00001: { secret: "\${env:WRITER_SECRET}", account: research }
`;

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message.split('\n');
  }
  assert.fail('expected a ConfigError');
}

function context() {
  const kept: Promise<unknown>[] = [];
  return { kept, ctx: { waitUntil: (work: Promise<unknown>) => void kept.push(work) } };
}

test('the configuration comes from SLUICE_CONFIG, with ${env:NAME} filled from string bindings only', () => {
  const config = loadWorkersConfig({ SLUICE_CONFIG: MEMORY_CONFIG, WRITER_SECRET: 'a-secret-of-twenty-chars', KV: { get() {} } });
  assert.equal(config.accessKeys[0]?.secretAccessKey, 'a-secret-of-twenty-chars');
  assert.deepEqual(Object.keys(stringBindings({ A: 'x', KV: {}, N: 1 })), ['A']);
  assert.deepEqual(problemsOf(() => loadWorkersConfig({ SLUICE_CONFIG: MEMORY_CONFIG, WRITER_SECRET: { secret: true } })), [
    'SLUICE_CONFIG: accessKeys.SLAKWORKERSTEST00001.secret: environment variable WRITER_SECRET is not set',
  ]);
});

test('a JSON configuration is read as JSON, and a missing one names the binding', () => {
  const config = loadWorkersConfig({ SLUICE_CONFIG: JSON.stringify({ connections: { main: { type: 'memory' } }, buckets: { 'open-data': { connection: 'main' } } }) });
  assert.deepEqual(config.buckets.map((b) => b.name), ['open-data']);
  assert.deepEqual(problemsOf(() => loadWorkersConfig({})), [
    'SLUICE_CONFIG: no configuration: set the SLUICE_CONFIG var or secret to the YAML or JSON configuration',
  ]);
});

test('fs connections and a SQLite or PostgreSQL policy store are refused at validation, naming the runtime', () => {
  const text = `
connections:
  disk: { type: fs, root: ./data }
  main: { type: memory }
buckets:
  open-data: { connection: main }
policy:
  sqlitePath: sluice.db
  masterKey: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
`;
  assert.deepEqual(problemsOf(() => loadWorkersConfig({ SLUICE_CONFIG: text })), [
    'SLUICE_CONFIG: connections.disk.type: type "fs" is not available on Cloudflare Workers: a Worker has no local file system; serve the objects from an S3-compatible store (type: s3) (available here: azure, gcs, memory, s3)',
    'SLUICE_CONFIG: policy.sqlitePath: not available on Cloudflare Workers: a Worker has no SQLite or PostgreSQL client; use policy.type: d1 with a D1 database binding, or keep buckets, accounts and access keys in the configuration',
  ]);
  const postgres = 'policy: { postgresUrl: "postgres://db.internal/sluice", masterKey: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" }';
  assert.deepEqual(problemsOf(() => loadWorkersConfig({ SLUICE_CONFIG: postgres })), [
    'SLUICE_CONFIG: policy.postgresUrl: not available on Cloudflare Workers: a Worker has no SQLite or PostgreSQL client; use policy.type: d1 with a D1 database binding, or keep buckets, accounts and access keys in the configuration',
  ]);
  // A kind no runtime offers keeps the schema's message.
  assert.deepEqual(problemsOf(() => loadWorkersConfig({ SLUICE_CONFIG: 'connections: { main: { type: ftp } }' })), [
    'SLUICE_CONFIG: connections.main.type: must be one of "azure", "gcs", "memory", "s3"',
  ]);
});

test('a D1 policy store is accepted on Workers with its binding and master key', () => {
  const config = loadWorkersConfig({ SLUICE_CONFIG: 'policy: { type: d1, binding: SLUICE_DB, masterKey: "${env:MASTER_KEY}" }', MASTER_KEY: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=' });
  assert.deepEqual(config.policy, { type: 'd1', binding: 'SLUICE_DB', masterKey: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=', cacheTtlSeconds: 30 });
});

test('a D1 policy store whose binding is missing, or bound to something else, fails the start naming the binding', async () => {
  const config = 'policy: { type: d1, binding: SLUICE_DB, masterKey: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" }';
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{}, /^policy\.binding: the Worker has no binding named SLUICE_DB; declare the D1 database in wrangler\.toml under \[\[d1_databases\]\] with binding = "SLUICE_DB"$/],
    [{ SLUICE_DB: 'a var' }, /^policy\.binding: SLUICE_DB is bound, but not to a D1 database/],
    [{ SLUICE_DB: { get() {}, put() {} } }, /^policy\.binding: SLUICE_DB is bound, but not to a D1 database/],
  ];
  for (const [bindings, message] of cases) {
    const events: Record<string, unknown>[] = [];
    const worker = createWorker({ log: { write: (event) => void events.push(event) } });
    const response = await worker.fetch(new Request('http://gateway.test/open-data/x'), { SLUICE_CONFIG: config, ...bindings }, context().ctx);
    assert.equal(response.status, 500);
    assert.match(await response.text(), /<Code>InternalError<\/Code>/);
    assert.equal(events[0]?.msg, 'the gateway cannot start');
    assert.match(String(events[0]?.error), message);
  }
});

test('the body limit is 100 MiB unless SLUICE_MAX_REQUEST_BODY_BYTES says otherwise', () => {
  assert.equal(maxRequestBodyBytes({}), DEFAULT_MAX_REQUEST_BODY_BYTES);
  assert.equal(maxRequestBodyBytes({ SLUICE_MAX_REQUEST_BODY_BYTES: '1048576' }), 1048576);
  for (const bad of ['0', '-1', '1e6', 'lots', '']) assert.throws(() => maxRequestBodyBytes({ SLUICE_MAX_REQUEST_BODY_BYTES: bad }), TypeError, bad);
});

test('a body declared over the limit is refused with EntityTooLarge before it is read; one at the limit goes on', async () => {
  const events: Record<string, unknown>[] = [];
  const worker = createWorker({ log: { write: (event) => void events.push(event) } });
  const env = { SLUICE_CONFIG: MEMORY_CONFIG, WRITER_SECRET: 'a-secret-of-twenty-chars', SLUICE_MAX_REQUEST_BODY_BYTES: '4' };
  let pulled = false;
  const body = new ReadableStream<Uint8Array>({ pull: () => void (pulled = true) }, { highWaterMark: 0 });
  const { ctx } = context();
  const refused = await worker.fetch(
    new Request('http://gateway.test/open-data/big.bin', { method: 'PUT', headers: { 'content-length': '5' }, body, duplex: 'half' } as RequestInit),
    env,
    ctx,
  );
  const xml = await refused.text();
  assert.equal(refused.status, 400, xml);
  assert.match(xml, /<Code>EntityTooLarge<\/Code>/);
  assert.match(xml, /<MaxSizeAllowed>4<\/MaxSizeAllowed>/);
  assert.match(xml, new RegExp(`<RequestId>${refused.headers.get('x-amz-request-id')}</RequestId>`));
  assert.equal(pulled, false, 'the body is never read');
  assert.ok(events.some((event) => event.msg === 'request body over the limit' && event.limit === 4));
  // At the limit, the request reaches the gateway (anonymous: denied, not refused for size).
  const denied = await worker.fetch(new Request('http://gateway.test/open-data/ok.bin', { method: 'PUT', body: 'four' }), env, ctx);
  assert.equal(denied.status, 403);
});

test('a configuration that cannot start is logged once and every request answered an opaque 500 InternalError', async () => {
  const events: Record<string, unknown>[] = [];
  const worker = createWorker({ log: { write: (event) => void events.push(event) } });
  const env = { SLUICE_CONFIG: 'connections: { disk: { type: fs, root: /data } }' };
  for (let i = 0; i < 2; i++) {
    const response = await worker.fetch(new Request('http://gateway.test/open-data/x'), env, context().ctx);
    const xml = await response.text();
    assert.equal(response.status, 500);
    assert.match(xml, /<Code>InternalError<\/Code>/);
    assert.doesNotMatch(xml, /fs|Workers/, 'the cause stays in the log');
  }
  assert.equal(events.filter((event) => event.msg === 'the gateway cannot start').length, 1);
  assert.match(String(events[0]?.error), /type "fs" is not available on Cloudflare Workers/);
});

test('each request hands ctx.waitUntil a drain of the background work, which covers work added while it runs', async () => {
  const worker = createWorker({ log: { write: () => {} } });
  const env = { SLUICE_CONFIG: MEMORY_CONFIG, WRITER_SECRET: 'a-secret-of-twenty-chars' };
  const { kept, ctx } = context();
  const response = await worker.fetch(new Request('http://gateway.test/.health'), env, ctx);
  assert.equal(response.status, 200);
  await response.text();
  assert.ok(kept.length >= 1, 'waitUntil was called');
  await Promise.all(kept);

  const background = createBackgroundWork();
  let release!: () => void;
  background.add(new Promise<void>((resolve) => (release = resolve)));
  background.add(Promise.reject(new Error('a failed delivery does not reject the drain')));
  let drained = false;
  const drain = background.drained().then(() => (drained = true));
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(drained, false, 'pending work holds the drain');
  release();
  await drain;
  assert.equal(background.pending, 0);
});
