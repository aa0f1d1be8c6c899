/** Streamed body check against a signed x-amz-content-sha256. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readAll } from '../../core/body.ts';
import { webSigV4Crypto } from './crypto.ts';
import { SigV4Error } from './errors.ts';
import { createPayloadHashVerifier } from './payload-hash.ts';

function streamOf(pieces: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      controller.close();
    },
  });
}

const WELCOME_HASH = '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072'; // "Welcome to Amazon S3."

describe('createPayloadHashVerifier', () => {
  test('passes a matching body through unchanged, however it is split', async () => {
    const out = await readAll(streamOf(['Welcome ', 'to Ama', 'zon S3.']).pipeThrough(createPayloadHashVerifier(WELCOME_HASH)));
    assert.equal(new TextDecoder().decode(out), 'Welcome to Amazon S3.');
  });

  test('accepts the hash in upper-case hex', async () => {
    await readAll(streamOf(['Welcome to Amazon S3.']).pipeThrough(createPayloadHashVerifier(WELCOME_HASH.toUpperCase())));
  });

  test('errors the stream with XAmzContentSHA256Mismatch when the body differs', async () => {
    const body = streamOf(['Welcome to Amazon S4.']).pipeThrough(createPayloadHashVerifier(WELCOME_HASH));
    await assert.rejects(readAll(body), (err: unknown) => {
      assert.ok(err instanceof SigV4Error);
      assert.equal(err.code, 'XAmzContentSHA256Mismatch');
      assert.equal(err.status, 400);
      assert.equal(err.details.ClientComputedContentSHA256!, WELCOME_HASH);
      assert.match(err.details.S3ComputedContentSHA256!, /^[0-9a-f]{64}$/);
      return true;
    });
  });

  test('checks an empty body against the empty hash', async () => {
    const empty = await webSigV4Crypto.sha256Hex('');
    assert.equal((await readAll(streamOf([]).pipeThrough(createPayloadHashVerifier(empty)))).byteLength, 0);
    await assert.rejects(readAll(streamOf(['x']).pipeThrough(createPayloadHashVerifier(empty))), SigV4Error);
  });

  test('refuses an expected value that is not a SHA-256 digest', () => {
    assert.throws(() => createPayloadHashVerifier('UNSIGNED-PAYLOAD'), TypeError);
  });
});
