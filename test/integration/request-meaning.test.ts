/**
 * One request means one thing: the query reads the same for the signature
 * and for the operation, the signature is checked before anything is
 * refused as not implemented, and a header that would change what a write
 * does is never ignored.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { signRequest } from '../../src/auth/sigv4/index.ts';
import { MemoryBackend } from '../../src/backends/memory/memory-backend.ts';
import { bytesBody, readAll } from '../../src/core/body.ts';
import type { AccessKeyConfig } from '../../src/core/config.ts';
import { type RunningServer, startServer } from '../../src/runtimes/node/server.ts';
import { bucket, testConfig } from '../support/gateway-config.ts';

const WRITER: AccessKeyConfig = {
  accessKeyId: 'SLAKMEANINGAAAAAAAAA',
  secretAccessKey: 'secret-of-meaning-0123456789abcdefghij',
  account: 'research',
  label: 'writer',
  status: 'active',
};

describe('what a request means', () => {
  let server: RunningServer;
  let backend: MemoryBackend;
  const events: Record<string, unknown>[] = [];

  before(async () => {
    backend = new MemoryBackend({ readOnly: false });
    await backend.put('a b/space.txt', bytesBody('space'), { metadata: {} });
    await backend.put('a+b/plus.txt', bytesBody('plus'), { metadata: {} });
    await backend.put('kept.txt', bytesBody('original'), { metadata: {} });
    const config = testConfig({ buckets: [bucket('data', { public: false })], server: { accessLog: true } });
    config.accounts = [{ name: 'research', grants: [{ bucket: 'data', actions: ['read', 'write'] }] }];
    config.accessKeys = [WRITER];
    server = await startServer(config, { backends: new Map([['main', backend]]), log: { write: (event) => events.push(event) } });
  });
  after(() => server.close());

  const sign = (method: string, pathAndQuery: string, headers: Record<string, string> = {}) =>
    signRequest({ method, url: `${server.url}${pathAndQuery}`, headers }, WRITER, { region: 'us-east-1', service: 's3' });

  async function listKeys(query: string, signedQuery = query): Promise<{ status: number; text: string }> {
    const headers = await sign('GET', `/data?${signedQuery}`);
    const response = await fetch(`${server.url}/data?${query}`, { headers });
    return { status: response.status, text: await response.text() };
  }

  test('a plus in the query is a space for the signature and for the listing alike', async () => {
    const spaced = await listKeys('list-type=2&prefix=a+b', 'list-type=2&prefix=a%20b');
    assert.equal(spaced.status, 200, spaced.text);
    assert.match(spaced.text, /<Key>a b\/space.txt<\/Key>/);
    assert.doesNotMatch(spaced.text, /plus.txt/);
    const plus = await listKeys('list-type=2&prefix=a%2Bb');
    assert.equal(plus.status, 200, plus.text);
    assert.match(plus.text, /<Key>a\+b\/plus.txt<\/Key>/);
  });

  test('a signature over an escaped plus does not cover the same request with a raw plus', async () => {
    const replayed = await listKeys('list-type=2&prefix=a+b', 'list-type=2&prefix=a%2Bb');
    assert.equal(replayed.status, 403);
    assert.match(replayed.text, /<Code>SignatureDoesNotMatch<\/Code>/);
  });

  test('an unsupported operation with a bad signature is refused as a bad signature, not as not implemented', async () => {
    const headers = await sign('GET', '/data?acl');
    headers.authorization = headers.authorization!.replace(/Signature=[0-9a-f]+/, `Signature=${'0'.repeat(64)}`);
    const response = await fetch(`${server.url}/data?acl`, { headers });
    assert.equal(response.status, 403);
    assert.match(await response.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
  });

  test('a correctly signed unsupported operation is 501 and logged with the caller', async () => {
    const response = await fetch(`${server.url}/data?acl`, { headers: await sign('GET', '/data?acl') });
    assert.equal(response.status, 501);
    assert.match(await response.text(), /<Code>NotImplemented<\/Code>/);
    server.flushLog();
    const line = events.findLast((event) => event.msg === 'request' && event.op === 'GetBucketAcl' && event.status === 501);
    assert.ok(line, 'an access-log line for the request');
    assert.equal(line.identity, `research:${WRITER.accessKeyId}`);
  });

  test('a response override no header may hold is refused with 400 before the object is opened', async () => {
    const path = '/data/kept.txt?response-content-type=text/plain%0D%0AX-Injected:%201';
    const response = await fetch(`${server.url}${path}`, { headers: await sign('GET', path) });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('x-injected'), null);
    assert.match(await response.text(), /<Code>InvalidArgument<\/Code>/);
  });

  for (const [name, value] of [['if-none-match', '*'], ['if-match', '"0123456789abcdef0123456789abcdef"']] as const) {
    test(`a PUT with ${name} that does not hold is refused with 412 and never overwrites`, async () => {
      const headers = await sign('PUT', '/data/kept.txt', { [name]: value, 'content-type': 'text/plain' });
      const response = await fetch(`${server.url}/data/kept.txt`, { method: 'PUT', headers, body: 'replaced' });
      assert.equal(response.status, 412);
      assert.match(await response.text(), /<Code>PreconditionFailed<\/Code>/);
      const stored = await backend.get('kept.txt');
      assert.equal(new TextDecoder().decode(await readAll(stored.body)), 'original');
    });
  }

  test('a PUT with If-None-Match other than * is refused as not implemented and never overwrites', async () => {
    const headers = await sign('PUT', '/data/kept.txt', { 'if-none-match': '"0123456789abcdef0123456789abcdef"' });
    const response = await fetch(`${server.url}/data/kept.txt`, { method: 'PUT', headers, body: 'replaced' });
    assert.equal(response.status, 501);
    const stored = await backend.get('kept.txt');
    assert.equal(new TextDecoder().decode(await readAll(stored.body)), 'original');
  });
});
