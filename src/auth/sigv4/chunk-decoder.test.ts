/** aws-chunked decoding with chunk signatures, signed trailers and unsigned trailers. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ChunkDecoderContext, createChunkSignatureDecoder } from './chunk-decoder.ts';
import { SigV4Error } from './errors.ts';
import { deriveSigningKey } from './signing-key.ts';
import { concat, drain, signedChunkedBody, streamInPieces } from './test-support.ts';

const encoder = new TextEncoder();
const SEED = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';

async function signedContext(payloadHash = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD'): Promise<ChunkDecoderContext & { signingKey: Uint8Array; scope: string; amzDate: string; seedSignature: string }> {
  return {
    payloadHash,
    signingKey: await deriveSigningKey('secret', '20240301', 'us-east-1', 's3'),
    scope: '20240301/us-east-1/s3/aws4_request',
    amzDate: '20240301T120000Z',
    seedSignature: SEED,
    accessKeyId: 'AKID',
  };
}

function pieces(...sizes: number[]): Uint8Array[] {
  return sizes.map((size, i) => new Uint8Array(size).fill(97 + i));
}

async function decode(body: Uint8Array, ctx: ChunkDecoderContext, pieceSize = 1000) {
  return drain(streamInPieces(body, pieceSize).pipeThrough(createChunkSignatureDecoder(ctx)));
}

function assertCode(error: unknown, code: string): void {
  assert.ok(error instanceof SigV4Error, `expected a SigV4Error ${code}, got ${String(error)}`);
  assert.equal(error.code, code);
}

describe('createChunkSignatureDecoder: signed chunks', () => {
  test('emits exactly the decoded bytes, whatever the piece sizes on the wire', async () => {
    const ctx = await signedContext();
    const data = pieces(8192, 100, 3);
    const body = await signedChunkedBody(data, ctx);
    for (const size of [1, 7, 89, 8192, body.byteLength]) {
      const { bytes, error } = await decode(body, ctx, size);
      assert.equal(error, undefined, `piece size ${size}`);
      assert.deepEqual(bytes, concat(data));
    }
  });

  test('holds back a chunk whose signature fails, so none of its bytes are emitted', async () => {
    const ctx = await signedContext();
    const body = await signedChunkedBody(pieces(1000, 1000), ctx);
    // Flip a byte in the second chunk's data.
    const second = new TextDecoder('latin1').decode(body).indexOf('b'.repeat(16));
    body[second + 10] = 120;
    const { bytes, error } = await decode(body, ctx, 64);
    assertCode(error, 'SignatureDoesNotMatch');
    // Erroring a stream may drop what was queued, so only "nothing unverified" is certain.
    assert.ok(bytes.byteLength <= 1000);
    assert.ok(bytes.every((b) => b === 97));
    assert.match((error as SigV4Error).details.StringToSign!, /^AWS4-HMAC-SHA256-PAYLOAD\n20240301T120000Z\n/);
  });

  test('rejects a chain started from another seed signature', async () => {
    const ctx = await signedContext();
    const body = await signedChunkedBody(pieces(10), ctx);
    const { error } = await decode(body, { ...ctx, seedSignature: '0'.repeat(64) });
    assertCode(error, 'SignatureDoesNotMatch');
  });

  test('rejects chunks reordered or dropped', async () => {
    const ctx = await signedContext();
    const body = new TextDecoder('latin1').decode(await signedChunkedBody(pieces(5, 5), ctx));
    const [first, second, ...rest] = body.split(/(?<=\r\n)(?=[0-9a-f]+;chunk-signature=)/);
    const swapped = encoder.encode([second, first, ...rest].join(''));
    assertCode((await decode(swapped, ctx)).error, 'SignatureDoesNotMatch');
    const dropped = encoder.encode([second, ...rest].join(''));
    assertCode((await decode(dropped, ctx)).error, 'SignatureDoesNotMatch');
  });

  test('rejects a chunk without a chunk-signature', async () => {
    const ctx = await signedContext();
    const { error } = await decode(encoder.encode('3\r\nabc\r\n0\r\n\r\n'), ctx);
    assertCode(error, 'SignatureDoesNotMatch');
  });

  test('reports a body cut short as IncompleteBody', async () => {
    const ctx = await signedContext();
    const body = await signedChunkedBody(pieces(100, 100), ctx);
    for (const cut of [50, 150, body.byteLength - 90]) {
      assertCode((await decode(body.subarray(0, cut), ctx)).error, 'IncompleteBody');
    }
  });

  test('checks the decoded length against x-amz-decoded-content-length', async () => {
    const ctx = await signedContext();
    const body = await signedChunkedBody(pieces(100), ctx);
    assert.equal((await decode(body, { ...ctx, decodedContentLength: 100 })).error, undefined);
    assertCode((await decode(body, { ...ctx, decodedContentLength: 101 })).error, 'IncompleteBody');
    assertCode((await decode(body, { ...ctx, decodedContentLength: 99 })).error, 'IncompleteBody');
  });

  test('refuses an x-amz-decoded-content-length that is not a byte count', async () => {
    const ctx = await signedContext();
    for (const bad of [Number.NaN, -1, 1.5]) {
      assert.throws(() => createChunkSignatureDecoder({ ...ctx, decodedContentLength: bad }), (err: unknown) => {
        assertCode(err, 'InvalidArgument');
        return true;
      });
    }
  });

  test('refuses a chunk larger than it is willing to hold', async () => {
    const ctx = await signedContext();
    const body = await signedChunkedBody(pieces(2048), ctx);
    assertCode((await decode(body, { ...ctx, maxChunkSize: 1024 })).error, 'InvalidRequest');
  });

  test('refuses trailing headers it was not told about', async () => {
    const ctx = await signedContext();
    const body = await signedChunkedBody(pieces(10), ctx, { 'x-amz-checksum-crc32': 'AAAAAA==' });
    assertCode((await decode(body, ctx)).error, 'InvalidRequest');
  });

  test('refuses malformed framing', async () => {
    const ctx = await signedContext();
    const good = await signedChunkedBody(pieces(4), ctx);
    const text = new TextDecoder('latin1').decode(good);
    assertCode((await decode(encoder.encode(`zz${text}`), ctx)).error, 'InvalidRequest');
    assertCode((await decode(encoder.encode(text.replace('aaaa\r\n', 'aaaaX\r\n')), ctx)).error, 'InvalidRequest');
    assertCode((await decode(concat([good, encoder.encode('junk')]), ctx)).error, 'InvalidRequest');
  });

  test('needs the signing context for the signed modes', () => {
    assert.throws(() => createChunkSignatureDecoder({ payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' }), TypeError);
    assert.throws(() => createChunkSignatureDecoder({ payloadHash: 'UNSIGNED-PAYLOAD' }), TypeError);
  });
});

describe('createChunkSignatureDecoder: signed trailers', () => {
  test('verifies the trailer signature and hands over the trailers', async () => {
    const ctx = await signedContext('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER');
    const body = await signedChunkedBody(pieces(300), ctx, { 'x-amz-checksum-crc32c': 'sOO8/Q==' });
    let trailers: Record<string, string> | undefined;
    const { bytes, error } = await decode(body, { ...ctx, onTrailers: (t) => (trailers = t) }, 17);
    assert.equal(error, undefined);
    assert.deepEqual(bytes, pieces(300)[0]);
    assert.deepEqual(trailers, { 'x-amz-checksum-crc32c': 'sOO8/Q==' });
  });

  test('rejects an altered trailer value', async () => {
    const ctx = await signedContext('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER');
    const body = await signedChunkedBody(pieces(30), ctx, { 'x-amz-checksum-crc32c': 'sOO8/Q==' });
    const altered = encoder.encode(new TextDecoder('latin1').decode(body).replace('sOO8/Q==', 'AAAAAA=='));
    let called = false;
    const { error } = await decode(altered, { ...ctx, onTrailers: () => (called = true) });
    assertCode(error, 'SignatureDoesNotMatch');
    assert.equal(called, false);
  });

  test('rejects trailers without a trailer signature', async () => {
    const ctx = await signedContext('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER');
    const body = new TextDecoder('latin1').decode(await signedChunkedBody(pieces(30), ctx, { 'x-amz-checksum-crc32c': 'sOO8/Q==' }));
    const unsigned = encoder.encode(body.replace(/x-amz-trailer-signature:[0-9a-f]+\r\n/, ''));
    assertCode((await decode(unsigned, ctx)).error, 'SignatureDoesNotMatch');
  });
});

describe('createChunkSignatureDecoder: unsigned payload with trailers', () => {
  const ctx: ChunkDecoderContext = { payloadHash: 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' };

  test('decodes the framing the AWS SDK for JavaScript sends', async () => {
    const body = encoder.encode('5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n');
    let trailers: Record<string, string> | undefined;
    for (const size of [1, 3, body.byteLength]) {
      const { bytes, error } = await decode(body, { ...ctx, onTrailers: (t) => (trailers = t), decodedContentLength: 11 }, size);
      assert.equal(error, undefined);
      assert.equal(new TextDecoder().decode(bytes), 'hello world');
      assert.deepEqual(trailers, { 'x-amz-checksum-crc32': 'DUoRhQ==' });
    }
  });

  test('accepts a body that ends right after the zero-size chunk, or with an empty line before the trailers', async () => {
    assert.equal((await decode(encoder.encode('3\r\nabc\r\n0\r\n'), ctx)).error, undefined);
    const spaced = await decode(encoder.encode('3\r\nabc\r\n0\r\n\r\nx-amz-checksum-sha256:abc=\r\n\r\n'), {
      ...ctx,
      onTrailers: (t) => assert.deepEqual(t, { 'x-amz-checksum-sha256': 'abc=' }),
    });
    assert.equal(spaced.error, undefined);
  });

  test('ignores chunk extensions', async () => {
    const { bytes, error } = await decode(encoder.encode('3;foo=bar\r\nabc\r\n0\r\n\r\n'), ctx);
    assert.equal(error, undefined);
    assert.equal(new TextDecoder().decode(bytes), 'abc');
  });

  test('reports a missing final chunk as IncompleteBody', async () => {
    assertCode((await decode(encoder.encode('3\r\nabc\r\n'), ctx)).error, 'IncompleteBody');
    assertCode((await decode(encoder.encode('3\r\nab'), ctx)).error, 'IncompleteBody');
  });

  test('refuses a malformed trailer line', async () => {
    assertCode((await decode(encoder.encode('0\r\nno-colon-here\r\n\r\n'), ctx)).error, 'InvalidRequest');
  });
});
