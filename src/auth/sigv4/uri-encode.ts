/**
 * AWS's URI encoding for SigV4: every byte except the unreserved characters
 * `A-Z a-z 0-9 - . _ ~` becomes `%XX` (upper-case hex), and `/` is kept where
 * the caller asks (object paths). Canonical forms are built from the bytes a
 * client meant, so raw input is first percent-decoded to bytes; this makes
 * `%2a`, `%2A` and `*` canonicalise alike, as S3 does.
 */

const UNRESERVED = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~') UNRESERVED[c.charCodeAt(0)] = 1;

const ESCAPED = Array.from({ length: 256 }, (_, i) => '%' + i.toString(16).toUpperCase().padStart(2, '0'));

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/**
 * Percent-decode raw URI text into bytes. In a path `+` is a literal `+`; in a
 * query (`plusIsSpace`) it is a space, as S3 reads a query — the gateway's
 * query parser reads it the same way, so one signature never covers two
 * requests (`prefix=a+b` and `prefix=a%2Bb` differ). A `%` not followed by two
 * hex digits is a literal `%`; characters outside ASCII (a client that did not
 * escape them) count as UTF-8.
 */
export function percentDecode(raw: string, plusIsSpace = false): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code === 43 /* + */ && plusIsSpace) {
      out.push(32);
    } else if (code === 37 /* % */ && i + 2 < raw.length) {
      const hi = hexValue(raw.charCodeAt(i + 1));
      const lo = hexValue(raw.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0) {
        out.push((hi << 4) | lo);
        i += 2;
        continue;
      }
      out.push(code);
    } else if (code < 0x80) {
      out.push(code);
    } else {
      // Gather the run of non-ASCII characters so surrogate pairs encode together.
      let end = i + 1;
      while (end < raw.length && raw.charCodeAt(end) >= 0x80) end++;
      for (const byte of encoder.encode(raw.slice(i, end))) out.push(byte);
      i = end - 1;
    }
  }
  return Uint8Array.from(out);
}

// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\x00-\x7f]*$/;

/** A query name or value as text (`+` is a space). */
export function decodeQueryComponent(raw: string): string {
  // Most query names and values are plain ASCII without escapes: nothing to decode.
  if (!raw.includes('%') && !raw.includes('+') && ASCII_ONLY.test(raw)) return raw;
  return decoder.decode(percentDecode(raw, true));
}

/** Encode bytes with AWS's rules; `/` survives only when `keepSlash` is set. */
export function awsEncodeBytes(bytes: Uint8Array, keepSlash: boolean): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if ((byte < 128 && UNRESERVED[byte]) || (keepSlash && byte === 47)) out += String.fromCharCode(byte);
    else out += ESCAPED[byte]!;
  }
  return out;
}

/** Encode text (as UTF-8) with AWS's rules. */
export function awsUriEncode(text: string, keepSlash = false): string {
  return awsEncodeBytes(encoder.encode(text), keepSlash);
}

const ALREADY_CANONICAL_PATH = /^[A-Za-z0-9\-._~/]*$/;
const ALREADY_CANONICAL_COMPONENT = /^[A-Za-z0-9\-._~]*$/;

/** Canonical form of a raw (possibly percent-encoded) path. */
export function canonicalizePath(raw: string): string {
  // Most paths need no work at all.
  if (ALREADY_CANONICAL_PATH.test(raw)) return raw;
  return awsEncodeBytes(percentDecode(raw), true);
}

/** Canonical form of a raw query name or value (`+` is a space). */
export function canonicalizeQueryComponent(raw: string): string {
  if (ALREADY_CANONICAL_COMPONENT.test(raw)) return raw;
  return awsEncodeBytes(percentDecode(raw, true), false);
}
