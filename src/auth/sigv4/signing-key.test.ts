/** Signing-key derivation, its LRU cache, and request signatures. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type SigV4Crypto, toHex, webSigV4Crypto } from './crypto.ts';
import { deriveSigningKey, signature, SigningKeyCache } from './signing-key.ts';

function countingCrypto(): { impl: SigV4Crypto; calls: () => number } {
  let calls = 0;
  return {
    impl: {
      ...webSigV4Crypto,
      hmac(key, data) {
        calls++;
        return webSigV4Crypto.hmac(key, data);
      },
    },
    calls: () => calls,
  };
}

describe('deriveSigningKey', () => {
  test('derives the signing key of the AWS General Reference example', async () => {
    const key = await deriveSigningKey('wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', '20150830', 'us-east-1', 'iam', {
      cache: new SigningKeyCache(0),
    });
    assert.equal(toHex(key), 'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9');
  });

  test('caches a derived key, so a second request costs no HMAC', async () => {
    const { impl, calls } = countingCrypto();
    const cache = new SigningKeyCache(4);
    const first = await deriveSigningKey('secret', '20130524', 'us-east-1', 's3', { crypto: impl, cache });
    assert.equal(calls(), 4);
    const second = await deriveSigningKey('secret', '20130524', 'us-east-1', 's3', { crypto: impl, cache });
    assert.equal(calls(), 4);
    assert.equal(second, first);
  });

  test('keys differ by secret, date, region and service', async () => {
    const cache = new SigningKeyCache(8);
    const base = toHex(await deriveSigningKey('s', '20130524', 'r', 's3', { cache }));
    for (const [secret, date, region, service] of [
      ['t', '20130524', 'r', 's3'],
      ['s', '20130525', 'r', 's3'],
      ['s', '20130524', 'q', 's3'],
      ['s', '20130524', 'r', 'sts'],
    ] as const) {
      assert.notEqual(toHex(await deriveSigningKey(secret, date, region, service, { cache })), base);
    }
    assert.equal(cache.size, 5);
  });
});

describe('SigningKeyCache', () => {
  test('evicts the least recently used entry beyond its capacity', () => {
    const cache = new SigningKeyCache(2);
    const a = Uint8Array.of(1);
    const b = Uint8Array.of(2);
    cache.set('a', a);
    cache.set('b', b);
    assert.equal(cache.get('a'), a); // a is now the most recent
    cache.set('c', Uint8Array.of(3));
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), a);
    assert.equal(cache.size, 2);
  });

  test('a capacity of zero stores nothing', () => {
    const cache = new SigningKeyCache(0);
    cache.set('a', Uint8Array.of(1));
    assert.equal(cache.size, 0);
  });

  test('rejects a nonsensical capacity', () => {
    assert.throws(() => new SigningKeyCache(-1), TypeError);
  });
});

describe('signature', () => {
  test('is the hex HMAC of the string to sign under the signing key', async () => {
    const key = await deriveSigningKey('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', '20130524', 'us-east-1', 's3');
    const toSign =
      'AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972';
    assert.equal(await signature(key, toSign), 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
  });
});
