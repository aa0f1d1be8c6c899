/** SHA-256 and HMAC primitives against NIST and RFC 4231 vectors. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createPortableSha256, EMPTY_SHA256, timingSafeEqual, toHex, utf8, webSigV4Crypto } from './crypto.ts';

// FIPS 180-2 / NIST CAVP example messages for SHA-256.
const NIST = [
  ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  [
    'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
    'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
  ],
] as const;

describe('SHA-256', () => {
  for (const [message, digest] of NIST) {
    test(`WebCrypto and the portable hasher agree with NIST for ${JSON.stringify(message.slice(0, 12))}…`, async () => {
      assert.equal(await webSigV4Crypto.sha256Hex(message), digest);
      const hasher = createPortableSha256();
      hasher.update(utf8(message));
      assert.equal(hasher.digestHex(), digest);
    });
  }

  test('the portable hasher gives the NIST digest of a million "a" fed in uneven pieces', () => {
    const hasher = createPortableSha256();
    const piece = utf8('a'.repeat(999));
    let left = 1_000_000;
    while (left > 0) {
      const n = Math.min(left, piece.length);
      hasher.update(piece.subarray(0, n));
      left -= n;
    }
    assert.equal(hasher.digestHex(), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  test('EMPTY_SHA256 is the digest of nothing', async () => {
    assert.equal(await webSigV4Crypto.sha256Hex(new Uint8Array(0)), EMPTY_SHA256);
  });
});

describe('HMAC-SHA256', () => {
  test('matches RFC 4231 test case 2', async () => {
    const mac = await webSigV4Crypto.hmac(utf8('Jefe'), 'what do ya want for nothing?');
    assert.equal(toHex(mac), '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });
});

describe('timingSafeEqual', () => {
  test('is true only for identical strings', () => {
    assert.equal(timingSafeEqual('abc', 'abc'), true);
    assert.equal(timingSafeEqual('abc', 'abd'), false);
    assert.equal(timingSafeEqual('abc', 'ab'), false);
    assert.equal(timingSafeEqual('', ''), true);
  });
});
