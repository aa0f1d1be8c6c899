/**
 * Azure Storage Shared Key authorization for the Blob service (versions
 * 2009-09-19 and later): the canonicalized headers and resource, the string
 * to sign, and its HMAC-SHA256 under the account key, with WebCrypto so it
 * runs on every runtime.
 */
import type { HeaderMap } from '../../core/http.ts';

/** The standard headers that enter the string to sign, in their order. */
const SIGNED_STANDARD_HEADERS = [
  'content-encoding',
  'content-language',
  'content-length',
  'content-md5',
  'content-type',
  'date',
  'if-modified-since',
  'if-match',
  'if-none-match',
  'if-unmodified-since',
  'range',
] as const;

/** `x-ms-*` headers, lower-cased and sorted by name, each as `name:value\n` with the value trimmed. */
export function canonicalizedHeaders(headers: HeaderMap): string {
  return Object.keys(headers)
    .map((name) => name.toLowerCase())
    .filter((name) => name.startsWith('x-ms-'))
    .sort()
    .map((name) => `${name}:${headerValue(headers, name).replace(/\s+/g, ' ').trim()}\n`)
    .join('');
}

function headerValue(headers: HeaderMap, lowerName: string): string {
  for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === lowerName) return value;
  return '';
}

/**
 * `/account/path` as sent (still percent-encoded), then each query parameter
 * on its own line as `name:value`, names lower-cased and sorted, values
 * decoded; a repeated parameter's values are sorted and joined with commas.
 */
export function canonicalizedResource(account: string, url: string): string {
  const match = /^[a-z]+:\/\/[^/?#]*([^?#]*)(?:\?([^#]*))?/i.exec(url);
  if (!match) throw new TypeError(`not an absolute URL: ${url}`);
  const path = match[1] || '/';
  const params = new Map<string, string[]>();
  for (const pair of (match[2] ?? '').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const name = decodeQuery(eq < 0 ? pair : pair.slice(0, eq)).toLowerCase();
    const value = eq < 0 ? '' : decodeQuery(pair.slice(eq + 1));
    const values = params.get(name) ?? [];
    values.push(value);
    params.set(name, values);
  }
  let resource = `/${account}${path}`;
  for (const name of [...params.keys()].sort()) {
    resource += `\n${name}:${params.get(name)!.sort().join(',')}`;
  }
  return resource;
}

function decodeQuery(text: string): string {
  return decodeURIComponent(text.replace(/\+/g, ' '));
}

/** The string to sign for a Blob service request (Content-Length empty when zero, as from version 2015-02-21). */
export function stringToSign(method: string, url: string, headers: HeaderMap, account: string): string {
  const standard = SIGNED_STANDARD_HEADERS.map((name) => {
    const value = headerValue(headers, name);
    return name === 'content-length' && value === '0' ? '' : value;
  });
  return `${method.toUpperCase()}\n${standard.join('\n')}\n${canonicalizedHeaders(headers)}${canonicalizedResource(account, url)}`;
}

/** A Shared Key signer for one account; the key is imported once. */
export interface SharedKeySigner {
  /** The `Authorization` header value for this request. */
  authorization(method: string, url: string, headers: HeaderMap): Promise<string>;
}

export function createSharedKeySigner(account: string, base64Key: string): SharedKeySigner {
  const keyBytes = decodeBase64(base64Key);
  let key: Promise<CryptoKey> | undefined;
  return {
    async authorization(method, url, headers) {
      key ??= crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      const data = new TextEncoder().encode(stringToSign(method, url, headers, account));
      const signature = new Uint8Array(await crypto.subtle.sign('HMAC', await key, data));
      return `SharedKey ${account}:${encodeBase64(signature)}`;
    },
  };
}

/** Standard base64 (with padding) of bytes. */
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Bytes of a standard base64 text; throws `TypeError` when it is not base64. */
export function decodeBase64(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new TypeError('not base64');
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
