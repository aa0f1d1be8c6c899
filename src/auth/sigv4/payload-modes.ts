/**
 * The values `x-amz-content-sha256` may take, which decide how the body is
 * checked: a hex SHA-256 of the whole body, no check, or aws-chunked framing
 * with per-chunk signatures and/or trailing checksum headers.
 */

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
export const STREAMING_SIGNED_PAYLOAD = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_PAYLOAD_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_PAYLOAD_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';

export type StreamingPayloadMode =
  | typeof STREAMING_SIGNED_PAYLOAD
  | typeof STREAMING_SIGNED_PAYLOAD_TRAILER
  | typeof STREAMING_UNSIGNED_PAYLOAD_TRAILER;

const STREAMING: ReadonlySet<string> = new Set([
  STREAMING_SIGNED_PAYLOAD,
  STREAMING_SIGNED_PAYLOAD_TRAILER,
  STREAMING_UNSIGNED_PAYLOAD_TRAILER,
]);

export function isHexSha256(value: string): boolean {
  return /^[0-9a-fA-F]{64}$/.test(value);
}

/** The body uses aws-chunked framing (decode it with `createChunkSignatureDecoder`). */
export function isStreamingPayload(value: string): value is StreamingPayloadMode {
  return STREAMING.has(value);
}

export function isValidPayloadHash(value: string): boolean {
  return value === UNSIGNED_PAYLOAD || isStreamingPayload(value) || isHexSha256(value);
}

export const PAYLOAD_HASH_VALUES_MESSAGE =
  'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.';
