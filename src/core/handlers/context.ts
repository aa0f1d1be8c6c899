/**
 * What every S3 operation handler receives: the request, its parsed
 * operation, the caller, and the gateway's shared services.
 */
import type { AccessPolicy } from '../access-policy.ts';
import { bytesBody } from '../body.ts';
import type { SluiceConfig } from '../config.ts';
import type { GatewayRequest, GatewayResponse } from '../http.ts';
import type { Identity } from '../identity.ts';
import type { Resolver } from '../bucket-resolver.ts';
import type { ListTokenCodec } from '../s3/list-token.ts';
import type { UploadIdCodec } from '../multipart/upload-id.ts';
import type { Owner } from '../s3/list-response.ts';
import type { RangeCache } from '../range-cache/range-cache.ts';

export interface RequestContext {
  req: GatewayRequest;
  /** Trailing headers of an aws-chunked upload, once its body has ended. */
  trailers?: () => Record<string, string> | undefined;
  identity: Identity;
  requestId: string;
  config: SluiceConfig;
  resolver: Resolver;
  policy: AccessPolicy;
  tokens: ListTokenCodec;
  /** Seals backend upload ids to their bucket and key. */
  uploadIds: UploadIdCodec;
  /** When the gateway started: the creation date reported for buckets. */
  startedAt: Date;
  /** The hot-range cache, when the app has one; it decides per bucket whether it applies. */
  rangeCache?: RangeCache;
}

/** The owner reported in listings: the bucket's account, or the gateway itself. */
export function ownerOf(account: string | undefined): Owner {
  const id = account ?? 'sluice';
  return { id, displayName: id };
}

const encoder = new TextEncoder();

export function xmlResponse(xml: string, status = 200): GatewayResponse {
  const bytes = encoder.encode(xml);
  return {
    status,
    headers: { 'content-type': 'application/xml', 'content-length': String(bytes.byteLength) },
    body: bytesBody(bytes),
  };
}
