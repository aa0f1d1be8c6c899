/**
 * The authenticate stage for signed requests: SigV4 (header, presigned or
 * streaming chunks) against access keys from the credential store.
 *
 * Unsigned requests are anonymous. A signed request is never downgraded to
 * anonymous: an unknown, revoked, disabled or expired key is refused (403
 * InvalidAccessKeyId). The body comes back wrapped so that it is checked
 * against what was signed while it streams.
 */
import type { Authentication, Authenticator } from '../core/authenticate.ts';
import { type Body, toWebStream } from '../core/body.ts';
import { S3Error } from '../core/errors/s3-error.ts';
import type { GatewayRequest } from '../core/http.ts';
import { ANONYMOUS } from '../core/identity.ts';
import { type AccessKeyRecord, type CredentialStore, keyUsability } from '../policy/store.ts';
import { isHexSha256, isStreamingPayload } from './sigv4/payload-modes.ts';
import {
  type SigV4Crypto,
  SigningKeyCache,
  type VerifiedRequest,
  createChunkSignatureDecoder,
  createPayloadHashVerifier,
  isSigned,
  verifyRequest,
} from './sigv4/index.ts';

export interface SigV4AuthenticatorOptions {
  credentials: CredentialStore;
  now?: () => Date;
  /** Regions a credential scope may name; any when absent. */
  allowedRegions?: readonly string[];
  crypto?: SigV4Crypto;
  /** Told of each successful use of a key (to record "last used"). */
  onKeyUsed?: (accessKeyId: string) => void;
}

const invalidKey = () => new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');

export function createSigV4Authenticator(options: SigV4AuthenticatorOptions): Authenticator {
  const now = options.now ?? (() => new Date());
  const signingKeyCache = new SigningKeyCache();

  return async (req: GatewayRequest): Promise<Authentication> => {
    if (!isSigned(req)) return { identity: ANONYMOUS, body: req.body };
    let record: AccessKeyRecord | null = null;
    const verified = await verifyRequest(req, {
      now,
      allowedRegions: options.allowedRegions,
      crypto: options.crypto,
      signingKeyCache,
      async lookupSecret(accessKeyId, context) {
        record = await options.credentials.getAccessKey(accessKeyId);
        if (!record) return null;
        if (keyUsability(record, now()) !== 'usable') throw invalidKey();
        if (context.sessionToken !== undefined) {
          throw new S3Error('InvalidToken', 'The provided token is malformed or otherwise invalid.');
        }
        return { secretAccessKey: record.secretAccessKey };
      },
    });
    const key = record as AccessKeyRecord | null;
    if (!key) throw invalidKey();
    options.onKeyUsed?.(key.accessKeyId);
    let trailers: Record<string, string> | undefined;
    return {
      identity: { kind: 'principal', account: key.account, accessKeyId: key.accessKeyId, ceiling: key.ceiling },
      body: req.body && checkedBody(req, req.body, verified, options.crypto, (received) => (trailers = received)),
      trailers: () => trailers,
    };
  };
}

/** The body as signed: decoded from aws-chunked framing, or checked against its SHA-256. */
function checkedBody(
  req: GatewayRequest,
  body: Body,
  verified: VerifiedRequest,
  crypto: SigV4Crypto | undefined,
  onTrailers: (trailers: Record<string, string>) => void,
): Body {
  const mode = verified.payloadHash;
  if (isStreamingPayload(mode)) {
    const decodedLength = req.headers['x-amz-decoded-content-length'];
    return toWebStream(body).pipeThrough(createChunkSignatureDecoder({
      payloadHash: mode,
      signingKey: verified.signingKey,
      scope: verified.scope,
      amzDate: verified.amzDate,
      seedSignature: verified.seedSignature,
      accessKeyId: verified.accessKeyId,
      decodedContentLength: decodedLength === undefined ? undefined : Number(decodedLength),
      crypto,
      onTrailers,
    }));
  }
  if (isHexSha256(mode)) return toWebStream(body).pipeThrough(createPayloadHashVerifier(mode, { crypto }));
  return body;
}
