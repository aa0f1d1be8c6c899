/**
 * Checks a streamed body against the SHA-256 the client signed in
 * `x-amz-content-sha256`. Bytes pass through untouched as they arrive; the
 * stream errors at its end if the digest differs, so whatever consumes it (a
 * backend upload) must treat a stream error as "abort, keep nothing".
 */
import { type SigV4Crypto, sha256Hasher, webSigV4Crypto } from './crypto.ts';
import { SigV4Error } from './errors.ts';
import { isHexSha256 } from './payload-modes.ts';

export function createPayloadHashVerifier(
  expectedHex: string,
  options: { crypto?: SigV4Crypto } = {},
): TransformStream<Uint8Array, Uint8Array> {
  if (!isHexSha256(expectedHex)) throw new TypeError('expected a hex SHA-256 digest');
  const expected = expectedHex.toLowerCase();
  const hasher = sha256Hasher(options.crypto ?? webSigV4Crypto);
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      hasher.update(chunk);
      controller.enqueue(chunk);
    },
    flush() {
      const actual = hasher.digestHex();
      if (actual !== expected) {
        throw new SigV4Error(
          'XAmzContentSHA256Mismatch',
          "The provided 'x-amz-content-sha256' header does not match what was computed.",
          { ClientComputedContentSHA256: expected, S3ComputedContentSHA256: actual },
        );
      }
    },
  });
}
