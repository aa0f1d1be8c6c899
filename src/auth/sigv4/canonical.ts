/**
 * The canonical request and string to sign of AWS Signature Version 4, as S3
 * computes them. Shared by inbound verification and outbound signing so the
 * two can never drift apart.
 *
 * S3 differs from most AWS services in two ways that matter here: the path is
 * neither normalised (`.`/`..` stay) nor double-encoded, and canonical forms
 * come from the bytes the client meant, not the exact escapes it sent.
 */
import { canonicalizePath, canonicalizeQueryComponent } from './uri-encode.ts';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const SCOPE_TERMINATOR = 'aws4_request';

/** Canonical URI from the path exactly as the client sent it (still percent-encoded). */
export function canonicalUri(rawPath: string): string {
  if (rawPath === '') return '/';
  return canonicalizePath(rawPath);
}

export interface CanonicalQueryOptions {
  /** Leave out `X-Amz-Signature` (presigned URLs sign everything but their own signature). */
  excludeSignature?: boolean;
}

function compareAscii(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Canonical query string from the raw query (without `?`). Each `name=value`
 * pair is decoded and re-encoded with AWS's rules (`+` is a space, as S3 reads a query), a
 * name without `=` gets an empty value, and pairs are sorted by encoded name,
 * then encoded value.
 */
export function canonicalQuery(rawQuery: string, options: CanonicalQueryOptions = {}): string {
  if (rawQuery === '') return '';
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = canonicalizeQueryComponent(eq < 0 ? part : part.slice(0, eq));
    if (options.excludeSignature && name === 'X-Amz-Signature') continue;
    pairs.push([name, eq < 0 ? '' : canonicalizeQueryComponent(part.slice(eq + 1))]);
  }
  pairs.sort((a, b) => compareAscii(a[0], b[0]) || compareAscii(a[1], b[1]));
  let out = '';
  for (let i = 0; i < pairs.length; i++) out += (i > 0 ? '&' : '') + pairs[i]![0] + '=' + pairs[i]![1];
  return out;
}

/**
 * AWS's "Trimall": line breaks become spaces, runs of spaces and tabs become one
 * space (also inside quotes), and leading/trailing space goes.
 */
export function trimAll(value: string): string {
  return value
    .replace(/[\r\n]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '');
}

export interface CanonicalHeadersOptions {
  /**
   * Read values as repeated headers that the runtime joined with ", " (Node and
   * fetch do), and fold them AWS's way instead: each value trimmed, joined with
   * a bare ",". The runtime's join cannot be told from a value that contains
   * ", " itself, so verification tries the plain reading first.
   */
  splitJoinedValues?: boolean;
}

/**
 * The canonical headers block: `name:value\n` for each signed header, in the
 * order given (clients list them sorted). A signed header the request lacks
 * canonicalises with an empty value, so the signature simply will not match.
 */
export function canonicalHeaders(
  headers: Record<string, string>,
  signedHeaders: readonly string[],
  options: CanonicalHeadersOptions = {},
): string {
  let out = '';
  for (const signed of signedHeaders) {
    const name = signed.toLowerCase();
    const raw = (Object.hasOwn(headers, name) ? headers[name] : undefined) ?? '';
    const value = options.splitJoinedValues ? raw.split(', ').map(trimAll).join(',') : trimAll(raw);
    out += name + ':' + value + '\n';
  }
  return out;
}

export interface CanonicalRequestParts {
  method: string;
  /** From `canonicalUri`. */
  uri: string;
  /** From `canonicalQuery`. */
  query: string;
  /** From `canonicalHeaders` (ends with a newline). */
  headers: string;
  signedHeaders: readonly string[];
  /** Hex SHA-256 of the body, `UNSIGNED-PAYLOAD`, or a `STREAMING-…` marker. */
  payloadHash: string;
}

export function canonicalRequest(parts: CanonicalRequestParts): string {
  return [
    parts.method,
    parts.uri,
    parts.query,
    parts.headers,
    parts.signedHeaders.map((name) => name.toLowerCase()).join(';'),
    parts.payloadHash,
  ].join('\n');
}

export function credentialScope(date: string, region: string, service: string): string {
  return `${date}/${region}/${service}/${SCOPE_TERMINATOR}`;
}

export function stringToSign(algorithm: string, amzDate: string, scope: string, canonicalRequestHash: string): string {
  return `${algorithm}\n${amzDate}\n${scope}\n${canonicalRequestHash}`;
}
