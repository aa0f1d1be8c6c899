/**
 * Text in header values. S3 decodes RFC 2047 encoded-words (`=?UTF-8?B?…?=`,
 * `=?UTF-8?Q?…?=`) in user metadata values on write, and on read encodes a
 * value that is not printable US-ASCII that way, so any Unicode a client
 * stored comes back in a form every HTTP stack can carry. Response headers
 * go through `headerSafe`, so no stored value can make a response
 * unsendable.
 */
import { fromBase64, toBase64 } from '../base64.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** `value` as an RFC 2047 encoded-word (UTF-8, base64) unless it is printable US-ASCII already. */
export function encodeHeaderText(value: string): string {
  if (PRINTABLE_ASCII.test(value)) return value;
  return `=?UTF-8?B?${toBase64(encoder.encode(value))}?=`;
}

/** Decode the UTF-8 RFC 2047 encoded-words in `value`; a word that does not decode stays as it is. */
export function decodeHeaderText(value: string): string {
  if (!value.includes('=?')) return value;
  return value.replace(/=\?UTF-8\?([BQ])\?([^?]*)\?=/gi, (whole, kind: string, data: string) => {
    try {
      if (kind.toUpperCase() === 'B') return decoder.decode(fromBase64(data));
      const bytes = data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
      return decoder.decode(Uint8Array.from(bytes, (c) => c.charCodeAt(0)));
    } catch {
      return whole;
    }
  });
}

/** Tab, printable ASCII and Latin-1 text: what an HTTP header value may hold. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** A value a response header can carry: as it is when it can, else RFC 2047 encoded. */
export function headerSafe(value: string): string {
  return HEADER_VALUE.test(value) ? value : encodeHeaderText(value);
}
