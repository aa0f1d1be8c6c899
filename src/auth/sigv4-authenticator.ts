/**
 * The authenticate stage for signed requests: SigV4 (header, presigned or
 * streaming chunks) against an ordered list of credential sources.
 *
 * Unsigned requests are anonymous. A signed request is never downgraded to
 * anonymous: a key id no source knows, or one a source refuses, is 403. The
 * body comes back wrapped so that it is checked against what was signed
 * while it streams.
 */
import type { Authentication, Authenticator } from '../core/authenticate.ts';
import { type Body, toWebStream } from '../core/body.ts';
import type { GatewayRequest } from '../core/http.ts';
import { ANONYMOUS, type PrincipalIdentity } from '../core/identity.ts';
import { type CredentialSource, invalidAccessKey } from './credential-source.ts';
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
  /** Tried in order; the first that knows a key id answers for it. */
  sources: readonly CredentialSource[];
  now?: () => Date;
  /** Regions a credential scope may name; any when absent. */
  allowedRegions?: readonly string[];
  crypto?: SigV4Crypto;
}

export function createSigV4Authenticator(options: SigV4AuthenticatorOptions): Authenticator {
  const now = options.now ?? (() => new Date());
  const signingKeyCache = new SigningKeyCache();

  return async (req: GatewayRequest): Promise<Authentication> => {
    if (!isSigned(req)) return { identity: ANONYMOUS, body: req.body };
    let identity: PrincipalIdentity | undefined;
    const verified = await verifyRequest(req, {
      now,
      allowedRegions: options.allowedRegions,
      crypto: options.crypto,
      signingKeyCache,
      async lookupSecret(accessKeyId, context) {
        for (const source of options.sources) {
          const found = await source.resolve(accessKeyId, context.sessionToken);
          if (found) {
            identity = found.identity;
            return { secretAccessKey: found.secretAccessKey };
          }
        }
        return null;
      },
    });
    if (!identity) throw invalidAccessKey();
    let trailers: Record<string, string> | undefined;
    return {
      identity,
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
