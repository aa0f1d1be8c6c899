/** The node:crypto SigV4 primitives agree with the WebCrypto default. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toHex, webSigV4Crypto } from '../../auth/sigv4/crypto.ts';
import { nodeSigV4Crypto } from './sigv4-crypto.ts';

const encoder = new TextEncoder();

describe('nodeSigV4Crypto', () => {
  test('hashes and MACs exactly as the WebCrypto default', async () => {
    for (const text of ['', 'abc', 'AWS4-HMAC-SHA256\n20130524T000000Z\n€😀', 'x'.repeat(100_000)]) {
      assert.equal(await nodeSigV4Crypto.sha256Hex(text), await webSigV4Crypto.sha256Hex(text));
      assert.equal(await nodeSigV4Crypto.sha256Hex(encoder.encode(text)), await webSigV4Crypto.sha256Hex(text));
      const key = encoder.encode(`key-${text.length}`);
      assert.equal(toHex(await nodeSigV4Crypto.hmac(key, text)), toHex(await webSigV4Crypto.hmac(key, text)));
    }
  });

  test('answers synchronously, so the per-request path needs no promise hops', () => {
    assert.equal(typeof nodeSigV4Crypto.sha256Hex('abc'), 'string');
    assert.ok(nodeSigV4Crypto.hmac(encoder.encode('k'), 'abc') instanceof Uint8Array);
  });

  test('its incremental hasher gives the one-shot digest', () => {
    const hasher = nodeSigV4Crypto.createSha256!();
    for (const piece of ['Welcome ', 'to Amazon', ' S3.']) hasher.update(encoder.encode(piece));
    assert.equal(hasher.digestHex(), '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
  });
});
