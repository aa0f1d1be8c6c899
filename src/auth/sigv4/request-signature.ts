/**
 * From request parts to signature: canonical request, string to sign, HMAC.
 * The one path both verification and outbound signing go through.
 */
import { ALGORITHM, canonicalHeaders, canonicalQuery, canonicalRequest, canonicalUri, stringToSign } from './canonical.ts';
import type { SigV4Crypto } from './crypto.ts';
import { signature } from './signing-key.ts';

export interface SignatureInput {
  method: string;
  /** Path as sent, still percent-encoded. */
  rawPath: string;
  /** Query as sent, without `?`. */
  rawQuery: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  signedHeaders: readonly string[];
  payloadHash: string;
  amzDate: string;
  scope: string;
  signingKey: Uint8Array;
  /** Presigned URLs leave their own `X-Amz-Signature` out of the canonical query. */
  presigned: boolean;
  splitJoinedValues?: boolean;
}

export interface SignatureResult {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
}

export async function computeRequestSignature(input: SignatureInput, impl: SigV4Crypto): Promise<SignatureResult> {
  const canonical = canonicalRequest({
    method: input.method,
    uri: canonicalUri(input.rawPath),
    query: canonicalQuery(input.rawQuery, { excludeSignature: input.presigned }),
    headers: canonicalHeaders(input.headers, input.signedHeaders, { splitJoinedValues: input.splitJoinedValues }),
    signedHeaders: input.signedHeaders,
    payloadHash: input.payloadHash,
  });
  const toSign = stringToSign(ALGORITHM, input.amzDate, input.scope, await impl.sha256Hex(canonical));
  return { canonicalRequest: canonical, stringToSign: toSign, signature: await signature(input.signingKey, toSign, impl) };
}
