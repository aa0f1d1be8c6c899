/**
 * An upload is answered 200 only once its body has been read to the end
 * and passed its checks. A backend whose HTTP client stops reading once it
 * has the declared Content-Length (workerd's fetch does) never pulls the
 * end of the stream, where the digest is compared; the gateway must still
 * find out, and refuse.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucket, testConfig } from '../../test/support/gateway-config.ts';
import type { AccessPolicy } from './access-policy.ts';
import type { Backend, PutResult } from './backend.ts';
import { bytesBody, readAll, toWebStream } from './body.ts';
import { createGateway } from './gateway.ts';
import { ANONYMOUS } from './identity.ts';

const openPolicy: AccessPolicy = { allows: async () => true, canSee: async () => true };

/** Reads exactly the declared length and returns without waiting for the end of the stream. */
function lengthBoundBackend(): Backend & { stored: Map<string, Uint8Array> } {
  const stored = new Map<string, Uint8Array>();
  const unused = () => Promise.reject(new Error('not used'));
  return {
    kind: 'length-bound',
    stored,
    head: unused,
    get: unused,
    list: unused,
    delete: unused,
    async put(key, body, _metadata, options): Promise<PutResult> {
      const reader = toWebStream(body).getReader();
      const want = options?.contentLength ?? 0;
      const bytes = new Uint8Array(want);
      let have = 0;
      while (have < want) {
        const { done, value } = await reader.read();
        if (done) throw new Error('body ended early');
        bytes.set(value, have);
        have += value.byteLength;
      }
      reader.releaseLock();
      stored.set(key, bytes);
      return { etag: '"stored"' };
    },
  };
}

function gatewayOver(backend: Backend) {
  return createGateway({
    config: testConfig({ buckets: [bucket('b')] }),
    backends: new Map([['main', backend]]),
    policy: openPolicy,
    authenticate: async (req) => ({ identity: ANONYMOUS, body: req.body }),
    runtime: { log: { write: () => {} } },
  });
}

const put = (headers: Record<string, string>, content: string) => ({
  method: 'PUT',
  rawPath: '/b/object.txt',
  rawQuery: '',
  headers: { 'content-length': String(content.length), ...headers },
  body: bytesBody(content),
  client: { ip: '127.0.0.1' },
});

test('a Content-MD5 mismatch is 400 BadDigest even when the backend stops reading at the declared length', async () => {
  const response = await gatewayOver(lengthBoundBackend()).handle(put({ 'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==' }, 'hello'));
  const xml = new TextDecoder().decode(await readAll(response.body!));
  assert.equal(response.status, 400, xml);
  assert.match(xml, /<Code>BadDigest<\/Code>/);
});

test('a matching Content-MD5 is still 200 when the backend stops reading at the declared length', async () => {
  const backend = lengthBoundBackend();
  const response = await gatewayOver(backend).handle(put({ 'content-md5': 'XUFAKrxLKna5cZ2REBfFkg==' }, 'hello'));
  assert.equal(response.status, 200);
  assert.equal(new TextDecoder().decode(backend.stored.get('object.txt')), 'hello');
});
