/**
 * Counts an upload's bytes against what was declared: fewer than declared is
 * 400 IncompleteBody and more is 400 InvalidRequest, both before the body's
 * end reaches a backend; a body of unknown length may not grow past the
 * object size limit (400 EntityTooLarge).
 */
import { S3Error } from '../errors/s3-error.ts';

export function incompleteBody(): S3Error {
  return new S3Error('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.');
}

export function tooLong(): S3Error {
  return new S3Error('InvalidRequest', 'The request body is longer than its declared Content-Length.');
}

export function entityTooLarge(maxSize: number): S3Error {
  return new S3Error('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed object size.', { MaxSizeAllowed: String(maxSize) });
}

export function checkUploadLength(declared: number | undefined, maxSize: number): TransformStream<Uint8Array, Uint8Array> {
  let received = 0;
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      received += chunk.byteLength;
      if (declared !== undefined && received > declared) throw tooLong();
      if (received > maxSize) throw entityTooLarge(maxSize);
      controller.enqueue(chunk);
    },
    flush() {
      if (declared !== undefined && received < declared) throw incompleteBody();
    },
  });
}
