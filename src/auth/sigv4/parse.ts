/**
 * Parsing of SigV4 credentials as they arrive: the `Authorization` header, the
 * presigned-URL query parameters, and the timestamps. Syntax only: whether a
 * scope fits this endpoint (region, service, date) is checked by `verify.ts`.
 * Failures are `SigV4Error`s with the codes and messages S3 uses.
 */
import { ALGORITHM } from './canonical.ts';
import { headerMalformed, queryParametersError, SigV4Error, unsupportedMechanism } from './errors.ts';
import { decodeQueryComponent } from './uri-encode.ts';

/** The most a presigned URL may live: seven days. */
export const MAX_PRESIGNED_EXPIRES = 604800;

export interface Credential {
  accessKeyId: string;
  /** `YYYYMMDD` */
  date: string;
  region: string;
  service: string;
  /** Should be `aws4_request`. */
  terminator: string;
}

export interface ParsedAuthorization extends Credential {
  signedHeaders: string[];
  signature: string;
}

export interface ParsedPresignedQuery extends Credential {
  /** `X-Amz-Date` as sent (`YYYYMMDDTHHMMSSZ`). */
  amzDate: string;
  expiresSeconds: number;
  signedHeaders: string[];
  signature: string;
  sessionToken?: string;
  /** `X-Amz-Content-Sha256`, when a client hoisted it into the query. */
  contentSha256?: string;
}

const CREDENTIAL_FORM = 'the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".';

/** `AKID/YYYYMMDD/region/service/aws4_request`; `null` when it does not have that shape. */
function splitCredential(value: string): Credential | { emptyAccessKey: true } | null {
  const parts = value.split('/');
  if (parts.length < 5) return null;
  const [date, region, service, terminator] = parts.slice(-4) as [string, string, string, string];
  const accessKeyId = parts.slice(0, -4).join('/');
  if (!/^\d{8}$/.test(date) || region === '' || service === '') return null;
  if (accessKeyId === '') return { emptyAccessKey: true };
  return { accessKeyId, date, region, service, terminator };
}

function parseSignedHeaders(value: string): string[] | null {
  return /^[^\s:;]+(?:;[^\s:;]+)*$/.test(value) ? value.split(';') : null;
}

/**
 * Parse `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`.
 * Components may be separated by "," with or without spaces.
 */
export function parseAuthorizationHeader(value: string): ParsedAuthorization {
  const header = value.trim();
  const space = header.indexOf(' ');
  const scheme = space < 0 ? header : header.slice(0, space);
  if (scheme === 'AWS') throw unsupportedMechanism();
  if (scheme !== ALGORITHM) {
    throw new SigV4Error('InvalidArgument', 'Unsupported Authorization Type', {
      ArgumentName: 'Authorization',
      ArgumentValue: header,
    });
  }
  const components = new Map<string, string>();
  for (const part of header.slice(space + 1).split(',')) {
    const item = part.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    const name = eq < 0 ? item : item.slice(0, eq);
    if (eq < 0 || components.has(name)) throw headerMalformed(`the component "${name}" is not well-formed.`);
    components.set(name, item.slice(eq + 1));
  }
  const credentialValue = components.get('Credential');
  const signedHeadersValue = components.get('SignedHeaders');
  const signature = components.get('Signature');
  if (credentialValue === undefined || signedHeadersValue === undefined || signature === undefined || components.size !== 3) {
    throw headerMalformed('the authorization header requires exactly three components: Credential, SignedHeaders and Signature.');
  }
  const credential = splitCredential(credentialValue);
  if (credential === null) throw headerMalformed(CREDENTIAL_FORM);
  if ('emptyAccessKey' in credential) {
    throw headerMalformed('a non-empty Access Key (AKID) must be provided in the credential.');
  }
  const signedHeaders = parseSignedHeaders(signedHeadersValue);
  if (signedHeaders === null) throw headerMalformed('the SignedHeaders component is not a ";"-separated list of header names.');
  return { ...credential, signedHeaders, signature };
}

/** Decoded `name=value` pairs of a raw query string, in order. */
export function queryPairs(rawQuery: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  if (rawQuery === '') return pairs;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    pairs.push(
      eq < 0 ? [decodeQueryComponent(part), ''] : [decodeQueryComponent(part.slice(0, eq)), decodeQueryComponent(part.slice(eq + 1))],
    );
  }
  return pairs;
}

const REQUIRED_QUERY =
  'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.';

/** Parse the `X-Amz-*` parameters of a presigned URL from the raw query string. */
export function parsePresignedQuery(rawQuery: string): ParsedPresignedQuery {
  const params = new Map<string, string>();
  // The first occurrence wins; all of them are covered by the signature anyway.
  for (const [name, value] of queryPairs(rawQuery)) if (!params.has(name)) params.set(name, value);

  const algorithm = params.get('X-Amz-Algorithm');
  const credentialValue = params.get('X-Amz-Credential');
  const signature = params.get('X-Amz-Signature');
  const amzDate = params.get('X-Amz-Date');
  const signedHeadersValue = params.get('X-Amz-SignedHeaders');
  const expires = params.get('X-Amz-Expires');
  if (
    algorithm === undefined ||
    credentialValue === undefined ||
    signature === undefined ||
    amzDate === undefined ||
    signedHeadersValue === undefined ||
    expires === undefined
  ) {
    throw queryParametersError(REQUIRED_QUERY);
  }
  if (algorithm !== ALGORITHM) throw queryParametersError(`X-Amz-Algorithm only supports "${ALGORITHM}"`);

  const credential = splitCredential(credentialValue);
  if (credential === null) throw queryParametersError(`Error parsing the X-Amz-Credential parameter; ${CREDENTIAL_FORM}`);
  if ('emptyAccessKey' in credential) {
    throw queryParametersError(
      'Error parsing the X-Amz-Credential parameter; a non-empty Access Key (AKID) must be provided in the credential.',
    );
  }
  if (parseAmzDate(amzDate) === null) {
    throw queryParametersError(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  }
  if (!/^-?\d+$/.test(expires)) throw queryParametersError('X-Amz-Expires should be a number');
  const expiresSeconds = Number(expires);
  if (expiresSeconds < 0) throw queryParametersError('X-Amz-Expires must be non-negative');
  // A URL valid for zero seconds is never valid: refuse it as malformed rather than serve it in its first second.
  if (expiresSeconds === 0) throw queryParametersError('X-Amz-Expires must be greater than 0');
  if (expiresSeconds > MAX_PRESIGNED_EXPIRES) {
    throw queryParametersError(
      `X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than ${MAX_PRESIGNED_EXPIRES} seconds`,
    );
  }
  const signedHeaders = parseSignedHeaders(signedHeadersValue);
  if (signedHeaders === null) throw queryParametersError('X-Amz-SignedHeaders is not a ";"-separated list of header names.');

  const parsed: ParsedPresignedQuery = { ...credential, amzDate, expiresSeconds, signedHeaders, signature };
  const sessionToken = params.get('X-Amz-Security-Token');
  if (sessionToken !== undefined) parsed.sessionToken = sessionToken;
  const contentSha256 = params.get('X-Amz-Content-Sha256');
  if (contentSha256 !== undefined) parsed.contentSha256 = contentSha256;
  return parsed;
}

/** Parse `YYYYMMDDTHHMMSSZ`; `null` unless it names a real instant. */
export function parseAmzDate(value: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 31 February into March; a real timestamp keeps its fields.
  const real =
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second;
  return real ? date : null;
}

/** `YYYYMMDDTHHMMSSZ` for an instant (sub-second part dropped). */
export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}
