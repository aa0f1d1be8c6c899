/**
 * Decodes an aws-chunked request body (`Content-Encoding: aws-chunked`) into
 * the object bytes, checking what the client's `x-amz-content-sha256` mode
 * promises:
 *
 * - `STREAMING-AWS4-HMAC-SHA256-PAYLOAD`: every chunk carries a signature that
 *   chains from the request's (seed) signature. A chunk's bytes are held back
 *   until its signature checks out, so nothing unverified reaches the consumer.
 * - `…-PAYLOAD-TRAILER`: the same, then trailing headers signed with
 *   `x-amz-trailer-signature`, chained from the last chunk's signature.
 * - `STREAMING-UNSIGNED-PAYLOAD-TRAILER`: plain chunks and trailing headers
 *   (checksums, which the consumer verifies), passed straight through.
 *
 * Trailing headers are handed to `onTrailers` once the body is complete.
 */
import { EMPTY_SHA256, type Sha256Hasher, type SigV4Crypto, sha256Hasher, timingSafeEqual, webSigV4Crypto } from './crypto.ts';
import { AwsChunkedParser } from './aws-chunked.ts';
import { incompleteBody, SigV4Error, signatureDoesNotMatch } from './errors.ts';
import {
  STREAMING_SIGNED_PAYLOAD,
  STREAMING_SIGNED_PAYLOAD_TRAILER,
  STREAMING_UNSIGNED_PAYLOAD_TRAILER,
} from './payload-modes.ts';
import { signature } from './signing-key.ts';

export interface ChunkDecoderContext {
  /** The `x-amz-content-sha256` mode, one of the three `STREAMING-…` values. */
  payloadHash: string;
  /** From `verifyRequest`; needed for the signed modes. */
  signingKey?: Uint8Array;
  scope?: string;
  amzDate?: string;
  seedSignature?: string;
  accessKeyId?: string;
  /** `x-amz-decoded-content-length`: the decoded size must match exactly. */
  decodedContentLength?: number;
  /** Largest signed chunk held in memory while its signature is checked; 16 MiB by default. */
  maxChunkSize?: number;
  crypto?: SigV4Crypto;
  /** Called once with the trailing headers (lower-case names) when the body ends well. */
  onTrailers?(trailers: Record<string, string>): void;
}

const CHUNK_ALGORITHM = 'AWS4-HMAC-SHA256-PAYLOAD';
const TRAILER_ALGORITHM = 'AWS4-HMAC-SHA256-TRAILER';
const TRAILER_SIGNATURE = 'x-amz-trailer-signature';
const SIGNATURE_EXTENSION = /^chunk-signature=([0-9a-f]{64})$/;

export function createChunkSignatureDecoder(ctx: ChunkDecoderContext): TransformStream<Uint8Array, Uint8Array> {
  const mode = ctx.payloadHash;
  if (mode !== STREAMING_SIGNED_PAYLOAD && mode !== STREAMING_SIGNED_PAYLOAD_TRAILER && mode !== STREAMING_UNSIGNED_PAYLOAD_TRAILER) {
    throw new TypeError(`not an aws-chunked payload mode: ${mode}`);
  }
  const signed = mode !== STREAMING_UNSIGNED_PAYLOAD_TRAILER;
  const withTrailer = mode !== STREAMING_SIGNED_PAYLOAD;
  const { signingKey, scope, amzDate, seedSignature } = ctx;
  if (signed && (!signingKey || !scope || !amzDate || !seedSignature)) {
    throw new TypeError('signed aws-chunked decoding needs signingKey, scope, amzDate and seedSignature');
  }
  const expectedLength = ctx.decodedContentLength;
  if (expectedLength !== undefined && !(Number.isSafeInteger(expectedLength) && expectedLength >= 0)) {
    throw new SigV4Error('InvalidArgument', 'x-amz-decoded-content-length must be a non-negative integer.', {
      ArgumentName: 'x-amz-decoded-content-length',
      ArgumentValue: String(expectedLength),
    });
  }
  const impl = ctx.crypto ?? webSigV4Crypto;
  const maxChunkSize = ctx.maxChunkSize ?? 16 * 1024 * 1024;
  const accessKeyId = ctx.accessKeyId ?? '';
  const parser = new AwsChunkedParser(withTrailer);

  let previous = seedSignature ?? '';
  let hasher: Sha256Hasher | undefined;
  let provided = '';
  let held: Uint8Array[] = [];
  let decoded = 0;
  let finalChunkSeen = false;
  const trailers: Record<string, string> = {};
  let canonicalTrailers = '';
  let trailerSignatureChecked = false;

  async function checkChunk(size: number, controller: TransformStreamDefaultController<Uint8Array>): Promise<void> {
    const dataHash = hasher ? hasher.digestHex() : EMPTY_SHA256;
    hasher = undefined;
    const toSign = [CHUNK_ALGORITHM, amzDate, scope, previous, EMPTY_SHA256, dataHash].join('\n');
    const expected = await signature(signingKey!, toSign, impl);
    if (!timingSafeEqual(expected, provided)) throw signatureDoesNotMatch(accessKeyId, toSign, provided);
    previous = expected;
    for (const piece of held) controller.enqueue(piece);
    held = [];
    if (size === 0) finalChunkSeen = true;
  }

  async function onTrailer(line: string): Promise<void> {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new SigV4Error('InvalidRequest', 'The aws-chunked request body has a malformed trailing header.');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (trailerSignatureChecked) throw new SigV4Error('InvalidRequest', 'Trailing headers follow the trailer signature.');
    if (signed && name === TRAILER_SIGNATURE) {
      const toSign = [TRAILER_ALGORITHM, amzDate, scope, previous, await impl.sha256Hex(canonicalTrailers)].join('\n');
      const expected = await signature(signingKey!, toSign, impl);
      if (!timingSafeEqual(expected, value)) throw signatureDoesNotMatch(accessKeyId, toSign, value);
      trailerSignatureChecked = true;
      return;
    }
    trailers[name] = value;
    canonicalTrailers += `${name}:${value}\n`;
  }

  return new TransformStream<Uint8Array, Uint8Array>({
    async transform(bytes, controller) {
      for (const event of parser.feed(bytes)) {
        switch (event.kind) {
          case 'chunk': {
            if (!signed) break;
            const m = SIGNATURE_EXTENSION.exec(event.extensions);
            if (!m) throw signatureDoesNotMatch(accessKeyId, '', event.extensions);
            if (event.size > maxChunkSize) {
              throw new SigV4Error('InvalidRequest', `aws-chunked chunks may not exceed ${maxChunkSize} bytes.`);
            }
            provided = m[1]!;
            break;
          }
          case 'data': {
            decoded += event.bytes.byteLength;
            if (expectedLength !== undefined && decoded > expectedLength) {
              throw incompleteBody('The decoded body is longer than x-amz-decoded-content-length.');
            }
            if (signed) {
              (hasher ??= sha256Hasher(impl)).update(event.bytes);
              held.push(event.bytes);
            } else {
              controller.enqueue(event.bytes);
            }
            break;
          }
          case 'chunk-end':
            if (signed) await checkChunk(event.size, controller);
            else if (event.size === 0) finalChunkSeen = true;
            break;
          case 'trailer':
            await onTrailer(event.line);
            break;
        }
      }
    },
    flush() {
      if (!parser.canEnd() || !finalChunkSeen) throw incompleteBody();
      if (signed && withTrailer && !trailerSignatureChecked) {
        throw signatureDoesNotMatch(accessKeyId, '', '');
      }
      if (expectedLength !== undefined && decoded !== expectedLength) {
        throw incompleteBody('You did not provide the number of bytes specified by the x-amz-decoded-content-length HTTP header.');
      }
      ctx.onTrailers?.(trailers);
    },
  });
}
