/**
 * Outbound SigV4: sign requests the gateway sends to S3-compatible backends,
 * and presign URLs. Uses the same canonicalisation as verification.
 *
 * The URL's path is signed in its canonical form (decoded, then encoded with
 * AWS's rules), so send paths already in that form — `awsUriEncode(key, true)`
 * per key — for servers that canonicalise the path exactly as received.
 */
import { ALGORITHM, credentialScope } from './canonical.ts';
import { type SigV4Crypto, webSigV4Crypto } from './crypto.ts';
import { formatAmzDate, MAX_PRESIGNED_EXPIRES } from './parse.ts';
import { UNSIGNED_PAYLOAD } from './payload-modes.ts';
import { computeRequestSignature } from './request-signature.ts';
import { deriveSigningKey, type SigningKeyCache } from './signing-key.ts';
import { awsUriEncode } from './uri-encode.ts';

export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignOptions {
  region: string;
  service: string;
  now?: Date;
  /** Hex SHA-256 of the body, or a `STREAMING-…` mode; `UNSIGNED-PAYLOAD` by default. */
  payloadHash?: string;
  crypto?: SigV4Crypto;
  signingKeyCache?: SigningKeyCache;
}

export interface RequestToSign {
  method: string;
  url: string;
  headers?: Record<string, string>;
}

// Headers that proxies and HTTP stacks add, drop or rewrite in transit; signing them breaks signatures.
const UNSIGNABLE = new Set([
  'authorization',
  'connection',
  'expect',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'user-agent',
  'x-amzn-trace-id',
]);

function signable(name: string): boolean {
  return !UNSIGNABLE.has(name) && !name.startsWith('proxy-');
}

interface SplitUrl {
  origin: string;
  host: string;
  rawPath: string;
  rawQuery: string;
}

/** Split a URL without normalising it (WHATWG `URL` would resolve `..` inside object keys). */
function splitUrl(url: string): SplitUrl {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?/.exec(url);
  if (!m) throw new TypeError('expected an absolute http(s) URL');
  const [, rawScheme = '', authority = '', rawPath = '', rawQuery = ''] = m;
  const scheme = rawScheme.toLowerCase();
  let host = authority.slice(authority.lastIndexOf('@') + 1);
  if ((scheme === 'http' && host.endsWith(':80')) || (scheme === 'https' && host.endsWith(':443'))) {
    host = host.slice(0, host.lastIndexOf(':'));
  }
  if (host === '') throw new TypeError('URL has no host');
  return { origin: `${rawScheme}://${authority}`, host, rawPath: rawPath === '' ? '/' : rawPath, rawQuery };
}

function lowerCaseHeaders(headers: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

/**
 * Sign a request with an `Authorization` header. Returns every header to send:
 * the caller's (lower-cased) plus `host`, `x-amz-date`, `x-amz-content-sha256`,
 * `authorization` and, with session credentials, `x-amz-security-token`.
 */
export async function signRequest(
  req: RequestToSign,
  creds: SigningCredentials,
  opts: SignOptions,
): Promise<Record<string, string>> {
  const { host, rawPath, rawQuery } = splitUrl(req.url);
  const impl = opts.crypto ?? webSigV4Crypto;
  const amzDate = formatAmzDate(opts.now ?? new Date());
  const payloadHash = opts.payloadHash ?? UNSIGNED_PAYLOAD;

  const headers = lowerCaseHeaders(req.headers);
  delete headers.authorization;
  headers.host ??= host;
  headers['x-amz-date'] = amzDate;
  headers['x-amz-content-sha256'] = payloadHash;
  if (creds.sessionToken !== undefined) headers['x-amz-security-token'] = creds.sessionToken;

  const signedHeaders = Object.keys(headers).filter(signable).sort();
  const date = amzDate.slice(0, 8);
  const scope = credentialScope(date, opts.region, opts.service);
  const signingKey = await deriveSigningKey(creds.secretAccessKey, date, opts.region, opts.service, {
    crypto: impl,
    cache: opts.signingKeyCache,
  });
  const { signature } = await computeRequestSignature(
    { method: req.method, rawPath, rawQuery, headers, signedHeaders, payloadHash, amzDate, scope, signingKey, presigned: false },
    impl,
  );
  headers.authorization =
    `${ALGORITHM} Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`;
  return headers;
}

export interface PresignOptions extends SignOptions {
  /** Seconds the URL stays valid: 1 to 604800. */
  expiresIn: number;
}

/**
 * A presigned URL: the request's URL plus the `X-Amz-*` query parameters.
 * Headers given are signed too (`host` always), and must then be sent with it.
 */
export async function presignUrl(req: RequestToSign, creds: SigningCredentials, opts: PresignOptions): Promise<string> {
  if (!Number.isInteger(opts.expiresIn) || opts.expiresIn < 1 || opts.expiresIn > MAX_PRESIGNED_EXPIRES) {
    throw new TypeError(`expiresIn must be a whole number of seconds from 1 to ${MAX_PRESIGNED_EXPIRES}`);
  }
  const { origin, host, rawPath, rawQuery } = splitUrl(req.url);
  const impl = opts.crypto ?? webSigV4Crypto;
  const amzDate = formatAmzDate(opts.now ?? new Date());
  const payloadHash = opts.payloadHash ?? UNSIGNED_PAYLOAD;
  const headers = lowerCaseHeaders(req.headers);
  headers.host ??= host;
  const signedHeaders = Object.keys(headers).filter(signable).sort();
  const date = amzDate.slice(0, 8);
  const scope = credentialScope(date, opts.region, opts.service);

  const params: Array<[string, string]> = [
    ['X-Amz-Algorithm', ALGORITHM],
    ['X-Amz-Credential', `${creds.accessKeyId}/${scope}`],
    ['X-Amz-Date', amzDate],
    ['X-Amz-Expires', String(opts.expiresIn)],
    ['X-Amz-SignedHeaders', signedHeaders.join(';')],
  ];
  if (creds.sessionToken !== undefined) params.push(['X-Amz-Security-Token', creds.sessionToken]);
  // Only a real hash needs carrying; the verifier assumes UNSIGNED-PAYLOAD otherwise.
  if (payloadHash !== UNSIGNED_PAYLOAD) params.push(['X-Amz-Content-Sha256', payloadHash]);
  const added = params.map(([name, value]) => `${name}=${awsUriEncode(value)}`).join('&');
  const query = rawQuery === '' ? added : `${rawQuery}&${added}`;

  const signingKey = await deriveSigningKey(creds.secretAccessKey, date, opts.region, opts.service, {
    crypto: impl,
    cache: opts.signingKeyCache,
  });
  const { signature } = await computeRequestSignature(
    { method: req.method, rawPath, rawQuery: query, headers, signedHeaders, payloadHash, amzDate, scope, signingKey, presigned: true },
    impl,
  );
  return `${origin}${rawPath}?${query}&X-Amz-Signature=${signature}`;
}
