/**
 * AWS Signature Version 4 for S3: inbound verification (header, presigned,
 * streaming chunks), body checks, and outbound signing. Each stage is its own
 * module; this is the public surface.
 */
export { ALGORITHM, canonicalHeaders, canonicalQuery, canonicalRequest, canonicalUri, credentialScope, stringToSign, trimAll } from './canonical.ts';
export type { CanonicalHeadersOptions, CanonicalQueryOptions, CanonicalRequestParts } from './canonical.ts';
export { createPortableSha256, EMPTY_SHA256, timingSafeEqual, toHex, webSigV4Crypto } from './crypto.ts';
export type { Sha256Hasher, SigV4Crypto } from './crypto.ts';
export { SigV4Error } from './errors.ts';
export type { SigV4ErrorCode } from './errors.ts';
export { formatAmzDate, MAX_PRESIGNED_EXPIRES, parseAmzDate, parseAuthorizationHeader, parsePresignedQuery } from './parse.ts';
export type { Credential, ParsedAuthorization, ParsedPresignedQuery } from './parse.ts';
export {
  isHexSha256,
  isStreamingPayload,
  isValidPayloadHash,
  STREAMING_SIGNED_PAYLOAD,
  STREAMING_SIGNED_PAYLOAD_TRAILER,
  STREAMING_UNSIGNED_PAYLOAD_TRAILER,
  UNSIGNED_PAYLOAD,
} from './payload-modes.ts';
export { createPayloadHashVerifier } from './payload-hash.ts';
export { createChunkSignatureDecoder } from './chunk-decoder.ts';
export type { ChunkDecoderContext } from './chunk-decoder.ts';
export { deriveSigningKey, signature, SigningKeyCache } from './signing-key.ts';
export { presignUrl, signRequest } from './sign-request.ts';
export type { PresignOptions, RequestToSign, SignOptions, SigningCredentials } from './sign-request.ts';
export { awsUriEncode } from './uri-encode.ts';
export { isSigned, verifyRequest } from './verify.ts';
export type { VerifiedRequest, VerifyDeps } from './verify.ts';
