/**
 * Inbound SigV4 verification: an `Authorization` header or a presigned URL.
 *
 * What is checked, in order: one mechanism only; the credential scope (date
 * matches the request time, service, `aws4_request`, allowed region); the
 * request time (15 minutes of skew for headers; validity window for presigned
 * URLs); the payload-hash header; that `host` and every `x-amz-*` header sent
 * are signed; the access key; and finally the signature, compared in constant
 * time. The body itself is checked later, as it streams (`payload-hash.ts`,
 * `chunk-decoder.ts`), from what this returns.
 */
import type { GatewayRequest } from '../../core/http.ts';
import { credentialScope, SCOPE_TERMINATOR } from './canonical.ts';
import { type SigV4Crypto, timingSafeEqual, webSigV4Crypto } from './crypto.ts';
import {
  headerMalformed,
  headersNotSigned,
  invalidAccessKeyId,
  isoSeconds,
  missingDate,
  queryParametersError,
  requestTimeTooSkewed,
  SigV4Error,
  signatureDoesNotMatch,
  unsupportedMechanism,
} from './errors.ts';
import { type Credential, formatAmzDate, parseAmzDate, parseAuthorizationHeader, parsePresignedQuery, queryPairs } from './parse.ts';
import { isValidPayloadHash, PAYLOAD_HASH_VALUES_MESSAGE, UNSIGNED_PAYLOAD } from './payload-modes.ts';
import { computeRequestSignature } from './request-signature.ts';
import { deriveSigningKey, type SigningKeyCache } from './signing-key.ts';

export interface VerifyDeps {
  /** The secret for an access key, or `null` when the key is unknown. May throw a `SigV4Error` (e.g. for a bad session token). */
  lookupSecret(accessKeyId: string, context: { sessionToken?: string }): Promise<{ secretAccessKey: string } | null>;
  now(): Date;
  /** Regions a credential scope may name; any region when absent. The first is the one reported as expected. */
  allowedRegions?: readonly string[];
  /** Service name the scope must carry; `s3` by default. */
  service?: string;
  crypto?: SigV4Crypto;
  signingKeyCache?: SigningKeyCache;
  /** Allowed clock difference for header auth; 15 minutes by default, as S3. */
  maxSkewMs?: number;
  /**
   * `x-amz-*` headers that may arrive unsigned because something between the
   * client and the gateway adds them (e.g. `x-amz-cf-id` from a CDN). None by default.
   */
  allowUnsignedHeaders?: readonly string[];
}

export interface VerifiedRequest {
  accessKeyId: string;
  sessionToken?: string;
  region: string;
  /** `x-amz-content-sha256` as sent (hex, `UNSIGNED-PAYLOAD` or `STREAMING-…`); `UNSIGNED-PAYLOAD` for presigned URLs unless they signed a hash. */
  payloadHash: string;
  method: 'header' | 'presigned';
  /** For chunk signatures, which chain from `seedSignature` under this key. */
  signingKey: Uint8Array;
  scope: string;
  amzDate: string;
  seedSignature: string;
  signedHeaders: string[];
  /** When a presigned URL stops being valid. */
  expiresAt?: Date;
}

const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;

function hasPresignedParams(names: ReadonlySet<string>): boolean {
  return names.has('X-Amz-Algorithm') || names.has('X-Amz-Credential') || names.has('X-Amz-Signature');
}

function queryNames(rawQuery: string): Set<string> {
  // Cheap screen first: most unsigned requests carry no auth parameters at all.
  if (rawQuery === '' || !/X-Amz-|AWSAccessKeyId|%/i.test(rawQuery)) return new Set();
  return new Set(queryPairs(rawQuery).map(([name]) => name));
}

/** The request carries credentials (header or query; SigV2 forms included, so they are refused rather than read as anonymous). */
export function isSigned(req: Pick<GatewayRequest, 'headers' | 'rawQuery'>): boolean {
  if (req.headers.authorization !== undefined) return true;
  const names = queryNames(req.rawQuery);
  return hasPresignedParams(names) || names.has('AWSAccessKeyId');
}

export async function verifyRequest(req: GatewayRequest, deps: VerifyDeps): Promise<VerifiedRequest> {
  const names = queryNames(req.rawQuery);
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    if (hasPresignedParams(names) || names.has('AWSAccessKeyId')) {
      throw new SigV4Error(
        'InvalidArgument',
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
        { ArgumentName: 'Authorization', ArgumentValue: authorization },
      );
    }
    return verifyHeaderAuth(req, authorization, deps);
  }
  if (hasPresignedParams(names)) return verifyPresigned(req, deps);
  if (names.has('AWSAccessKeyId')) throw unsupportedMechanism();
  throw new SigV4Error('AccessDenied', 'Access Denied');
}

type Flavor = 'header' | 'query';

/** Scope checks shared by both mechanisms; only the wording of the errors differs. */
function checkScope(credential: Credential, amzDate: string, flavor: Flavor, deps: VerifyDeps): void {
  const fail = (reason: string, details: Record<string, string> = {}) =>
    flavor === 'header'
      ? headerMalformed(reason, details)
      : queryParametersError(`Error parsing the X-Amz-Credential parameter; ${reason}`, details);
  const requestDate = amzDate.slice(0, 8);
  if (credential.date !== requestDate) {
    const reason = `Invalid credential date "${credential.date}". This date is not the same as X-Amz-Date: "${requestDate}".`;
    throw flavor === 'header' ? headerMalformed(reason) : queryParametersError(reason);
  }
  const service = deps.service ?? 's3';
  if (credential.service !== service) {
    throw fail(`incorrect service "${credential.service}". This endpoint belongs to "${service}".`);
  }
  if (credential.terminator !== SCOPE_TERMINATOR) {
    throw fail(`incorrect terminal "${credential.terminator}". This endpoint uses "${SCOPE_TERMINATOR}".`);
  }
  const regions = deps.allowedRegions;
  if (regions && regions.length > 0 && !regions.includes(credential.region)) {
    throw fail(`the region '${credential.region}' is wrong; expecting '${regions[0]}'`, { Region: regions[0]! });
  }
}

/** `host` must be signed, and so must every `x-amz-*` header the request carries. */
function checkSignedHeaders(
  headers: Record<string, string>,
  signedHeaders: readonly string[],
  presigned: boolean,
  deps: VerifyDeps,
): void {
  const signed = new Set(signedHeaders.map((name) => name.toLowerCase()));
  const missing: string[] = [];
  if (!signed.has('host')) missing.push('host');
  for (const name of Object.keys(headers)) {
    if (!name.startsWith('x-amz-') || signed.has(name)) continue;
    // A presigned URL's payload hash is not a header; a client may still send one.
    if (presigned && name === 'x-amz-content-sha256') continue;
    if (deps.allowUnsignedHeaders?.includes(name)) continue;
    missing.push(name);
  }
  if (missing.length > 0) throw headersNotSigned(missing);
}

function checkPayloadHash(value: string): void {
  if (!isValidPayloadHash(value)) {
    throw new SigV4Error('InvalidArgument', PAYLOAD_HASH_VALUES_MESSAGE, {
      ArgumentName: 'x-amz-content-sha256',
      ArgumentValue: value,
    });
  }
}

/** The request time for header auth: `x-amz-date`, or else `Date`. */
function headerRequestTime(headers: Record<string, string>): { amzDate: string; raw: string; time: Date } {
  const amz = headers['x-amz-date'];
  if (amz !== undefined) {
    const time = parseAmzDate(amz);
    if (!time) throw missingDate();
    return { amzDate: amz, raw: amz, time };
  }
  const date = headers.date;
  const ms = date === undefined ? Number.NaN : Date.parse(date);
  if (Number.isNaN(ms)) throw missingDate();
  const time = new Date(ms);
  return { amzDate: formatAmzDate(time), raw: date!, time };
}

async function lookup(deps: VerifyDeps, accessKeyId: string, sessionToken: string | undefined): Promise<string> {
  const found = await deps.lookupSecret(accessKeyId, sessionToken === undefined ? {} : { sessionToken });
  if (!found) throw invalidAccessKeyId(accessKeyId);
  return found.secretAccessKey;
}

interface Candidate {
  req: GatewayRequest;
  accessKeyId: string;
  secret: string;
  credential: Credential;
  signedHeaders: string[];
  payloadHash: string;
  amzDate: string;
  provided: string;
  presigned: boolean;
}

/** Compute and compare; returns the signing key and scope on success. */
async function checkSignature(c: Candidate, deps: VerifyDeps): Promise<{ signingKey: Uint8Array; scope: string }> {
  const impl = deps.crypto ?? webSigV4Crypto;
  const { date, region, service } = c.credential;
  const signingKey = await deriveSigningKey(c.secret, date, region, service, { crypto: impl, cache: deps.signingKeyCache });
  const scope = credentialScope(date, region, service);
  const input = {
    method: c.req.method,
    rawPath: c.req.rawPath,
    rawQuery: c.req.rawQuery,
    headers: c.req.headers,
    signedHeaders: c.signedHeaders,
    payloadHash: c.payloadHash,
    amzDate: c.amzDate,
    scope,
    signingKey,
    presigned: c.presigned,
  };
  const first = await computeRequestSignature(input, impl);
  if (timingSafeEqual(first.signature, c.provided)) return { signingKey, scope };
  // The runtime joined repeated headers with ", "; AWS folds them with ",".
  if (c.signedHeaders.some((name) => c.req.headers[name.toLowerCase()]?.includes(', '))) {
    const second = await computeRequestSignature({ ...input, splitJoinedValues: true }, impl);
    if (timingSafeEqual(second.signature, c.provided)) return { signingKey, scope };
  }
  throw signatureDoesNotMatch(c.accessKeyId, first.stringToSign, c.provided, first.canonicalRequest);
}

async function verifyHeaderAuth(req: GatewayRequest, authorization: string, deps: VerifyDeps): Promise<VerifiedRequest> {
  const parsed = parseAuthorizationHeader(authorization);
  const { amzDate, raw, time } = headerRequestTime(req.headers);
  checkScope(parsed, amzDate, 'header', deps);
  const now = deps.now();
  const maxSkewMs = deps.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  if (Math.abs(now.getTime() - time.getTime()) > maxSkewMs) throw requestTimeTooSkewed(raw, now, maxSkewMs);

  const payloadHash = req.headers['x-amz-content-sha256'];
  if (payloadHash === undefined) {
    throw new SigV4Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  }
  checkPayloadHash(payloadHash);
  checkSignedHeaders(req.headers, parsed.signedHeaders, false, deps);

  const sessionToken = req.headers['x-amz-security-token'];
  const secret = await lookup(deps, parsed.accessKeyId, sessionToken);
  const { signingKey, scope } = await checkSignature(
    {
      req,
      accessKeyId: parsed.accessKeyId,
      secret,
      credential: parsed,
      signedHeaders: parsed.signedHeaders,
      payloadHash,
      amzDate,
      provided: parsed.signature,
      presigned: false,
    },
    deps,
  );
  const result: VerifiedRequest = {
    accessKeyId: parsed.accessKeyId,
    region: parsed.region,
    payloadHash,
    method: 'header',
    signingKey,
    scope,
    amzDate,
    seedSignature: parsed.signature,
    signedHeaders: parsed.signedHeaders,
  };
  if (sessionToken !== undefined) result.sessionToken = sessionToken;
  return result;
}

async function verifyPresigned(req: GatewayRequest, deps: VerifyDeps): Promise<VerifiedRequest> {
  const parsed = parsePresignedQuery(req.rawQuery);
  checkScope(parsed, parsed.amzDate, 'query', deps);
  const time = parseAmzDate(parsed.amzDate)!;
  const now = deps.now();
  const maxSkewMs = deps.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  if (time.getTime() - now.getTime() > maxSkewMs) throw new SigV4Error('AccessDenied', 'Request is not valid yet');
  const expiresAt = new Date(time.getTime() + parsed.expiresSeconds * 1000);
  if (now.getTime() > expiresAt.getTime()) {
    throw new SigV4Error('AccessDenied', 'Request has expired', {
      'X-Amz-Expires': String(parsed.expiresSeconds),
      Expires: isoSeconds(expiresAt),
      ServerTime: isoSeconds(now),
    });
  }
  checkSignedHeaders(req.headers, parsed.signedHeaders, true, deps);

  // A hash the client chose to sign (hoisted into the query, or a signed header) binds the body; otherwise none does.
  let payloadHash = parsed.contentSha256;
  if (payloadHash === undefined && parsed.signedHeaders.some((name) => name.toLowerCase() === 'x-amz-content-sha256')) {
    payloadHash = req.headers['x-amz-content-sha256'];
  }
  payloadHash ??= UNSIGNED_PAYLOAD;
  checkPayloadHash(payloadHash);

  const secret = await lookup(deps, parsed.accessKeyId, parsed.sessionToken);
  const { signingKey, scope } = await checkSignature(
    {
      req,
      accessKeyId: parsed.accessKeyId,
      secret,
      credential: parsed,
      signedHeaders: parsed.signedHeaders,
      payloadHash,
      amzDate: parsed.amzDate,
      provided: parsed.signature,
      presigned: true,
    },
    deps,
  );
  const result: VerifiedRequest = {
    accessKeyId: parsed.accessKeyId,
    region: parsed.region,
    payloadHash,
    method: 'presigned',
    signingKey,
    scope,
    amzDate: parsed.amzDate,
    seedSignature: parsed.signature,
    signedHeaders: parsed.signedHeaders,
    expiresAt,
  };
  if (parsed.sessionToken !== undefined) result.sessionToken = parsed.sessionToken;
  return result;
}
