/**
 * S3's additional checksums on uploads (`x-amz-checksum-crc32`, `-crc32c`,
 * `-crc64nvme`, `-sha1`, `-sha256`), sent as a header or as an aws-chunked
 * trailer. The body is checked as it streams; a mismatch fails the stream at
 * its end, so the object is never stored (400 BadDigest, as S3 answers).
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { toBase64 } from '../base64.ts';
import type { Body } from '../body.ts';
import { toWebStream } from '../body.ts';
import { S3Error } from '../errors/s3-error.ts';
import type { HeaderMap } from '../http.ts';
import { type IncrementalChecksum, createCrc32, createCrc32c, createCrc64Nvme } from './crc.ts';

const ALGORITHMS: Record<string, { label: string; create: () => IncrementalChecksum }> = {
  crc32: { label: 'CRC32', create: createCrc32 },
  crc32c: { label: 'CRC32C', create: createCrc32c },
  crc64nvme: { label: 'CRC64NVME', create: createCrc64Nvme },
  sha1: { label: 'SHA1', create: () => wrapNoble(sha1.create()) },
  sha256: { label: 'SHA256', create: () => wrapNoble(sha256.create()) },
};

function wrapNoble(hash: { update(bytes: Uint8Array): unknown; digest(): Uint8Array }): IncrementalChecksum {
  return { update: (bytes) => void hash.update(bytes), digest: () => hash.digest() };
}

/** A fresh incremental checksum of `algorithm` (lower case, e.g. `crc32`). */
export function createChecksum(algorithm: string): IncrementalChecksum {
  const entry = ALGORITHMS[algorithm];
  if (!entry) throw new TypeError(`unknown checksum algorithm: ${algorithm}`);
  return entry.create();
}

export interface ChecksumRequest {
  /** Lower-case algorithm name, e.g. `crc32`. */
  algorithm: string;
  /** The expected value: known up front (header), or only once the body has ended (trailer). */
  expected: () => string | undefined;
  /** Only compute the value (a multipart part the client sent no checksum for): nothing to compare. */
  computeOnly?: boolean;
}

const PREFIX = 'x-amz-checksum-';

/** The checksum an upload declares, from its headers or announced trailer; 400 InvalidRequest for unknown algorithms. */
export function requestedChecksum(headers: HeaderMap, trailers: () => Record<string, string> | undefined): ChecksumRequest | undefined {
  const trailer = headers['x-amz-trailer']?.trim().toLowerCase();
  if (trailer?.startsWith(PREFIX)) {
    const algorithm = trailer.slice(PREFIX.length);
    checkAlgorithm(algorithm);
    return { algorithm, expected: () => trailers()?.[trailer] };
  }
  for (const name of Object.keys(headers)) {
    if (!name.startsWith(PREFIX) || name === 'x-amz-checksum-type' || name === 'x-amz-checksum-algorithm') continue;
    const algorithm = name.slice(PREFIX.length);
    checkAlgorithm(algorithm);
    const value = headers[name];
    return { algorithm, expected: () => value };
  }
  return undefined;
}

function checkAlgorithm(algorithm: string): void {
  if (!Object.hasOwn(ALGORITHMS, algorithm)) {
    throw new S3Error('InvalidRequest', `Value for x-amz-checksum-algorithm header is invalid: ${algorithm}`);
  }
}

/** Checks the body against the checksum; the computed value is available from `computed()` once the body has ended. */
export function verifyChecksum(body: Body, request: ChecksumRequest): { stream: ReadableStream<Uint8Array>; header: string; computed(): string | undefined } {
  const { label, create } = ALGORITHMS[request.algorithm]!;
  const checksum = create();
  let computed: string | undefined;
  const stream = toWebStream(body).pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      checksum.update(chunk);
      controller.enqueue(chunk);
    },
    flush() {
      computed = toBase64(checksum.digest());
      if (request.computeOnly) return;
      const expected = request.expected();
      if (expected === undefined) {
        throw new S3Error('InvalidRequest', `The x-amz-checksum-${request.algorithm} trailer was announced but not sent.`);
      }
      if (expected.trim() !== computed) {
        throw new S3Error('BadDigest', `The ${label} you specified did not match the calculated checksum.`);
      }
    },
  }));
  return { stream, header: `${PREFIX}${request.algorithm}`, computed: () => computed };
}
