/**
 * `Content-MD5` on uploads: the digest is checked while the body streams and
 * a mismatch fails the stream at its end (400 BadDigest, as S3 answers); the
 * hold-back stream downstream keeps those last bytes from the backend.
 */
import { fromBase64 } from '../base64.ts';
import type { Body } from '../body.ts';
import { toWebStream } from '../body.ts';
import { S3Error } from '../errors/s3-error.ts';
import { createMd5 } from '../md5.ts';

function base64ToHex(value: string): string | null {
  if (!/^[A-Za-z0-9+/]{22}==$/.test(value)) return null;
  return Array.from(fromBase64(value), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function verifyContentMd5(body: Body, contentMd5: string): ReadableStream<Uint8Array> {
  const expected = base64ToHex(contentMd5.trim());
  if (expected === null) throw new S3Error('InvalidDigest', 'The Content-MD5 you specified was invalid.');
  const md5 = createMd5();
  return toWebStream(body).pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      md5.update(chunk);
      controller.enqueue(chunk);
    },
    flush() {
      if (md5.digestHex() !== expected) {
        throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.');
      }
    },
  }));
}
