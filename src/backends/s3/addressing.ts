/**
 * Request URLs for the backend bucket, path-style or virtual-host style.
 *
 * Keys and query values are encoded the way SigV4 canonicalises them (every
 * byte but `A-Z a-z 0-9 - . _ ~` escaped, `/` kept in keys), so the URL sent
 * is already its own canonical form and S3 decodes it back to the exact key.
 */
import type { ResolvedS3Options } from './options.ts';

const encoder = new TextEncoder();
const HEX = Array.from({ length: 256 }, (_, i) => '%' + i.toString(16).toUpperCase().padStart(2, '0'));

function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || // A-Z
    (byte >= 0x61 && byte <= 0x7a) || // a-z
    (byte >= 0x30 && byte <= 0x39) || // 0-9
    byte === 0x2d || byte === 0x2e || byte === 0x5f || byte === 0x7e // - . _ ~
  );
}

/** AWS URI encoding of UTF-8 text; `/` is kept only in object keys. */
export function awsEncode(text: string, keepSlash: boolean): string {
  let out = '';
  for (const byte of encoder.encode(text)) {
    out += isUnreserved(byte) || (keepSlash && byte === 0x2f) ? String.fromCharCode(byte) : HEX[byte];
  }
  return out;
}

/** `name=value` pairs in sorted order (the canonical order), values encoded; `undefined` values dropped. */
export function encodeQuery(params: Record<string, string | undefined>): string {
  return Object.entries(params)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .map(([name, value]) => `${awsEncode(name, false)}=${awsEncode(value, false)}`)
    .sort()
    .join('&');
}

function origin(opts: ResolvedS3Options): { origin: string; basePath: string } {
  const basePath = opts.endpoint.pathname.replace(/\/+$/, '');
  if (opts.forcePathStyle) return { origin: opts.endpoint.origin, basePath: `${basePath}/${awsEncode(opts.bucket, false)}` };
  const host = `${opts.bucket}.${opts.endpoint.host}`;
  return { origin: `${opts.endpoint.protocol}//${host}`, basePath };
}

/** URL of an object; `fullKey` already carries the base prefix. */
export function objectUrl(opts: ResolvedS3Options, fullKey: string, query = ''): string {
  const { origin: o, basePath } = origin(opts);
  return `${o}${basePath}/${awsEncode(fullKey, true)}${query ? `?${query}` : ''}`;
}

/** URL of the bucket itself (listing, multipart listings). */
export function bucketUrl(opts: ResolvedS3Options, query = ''): string {
  const { origin: o, basePath } = origin(opts);
  return `${o}${basePath}/${query ? `?${query}` : ''}`;
}
