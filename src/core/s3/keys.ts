/**
 * Object key rules: which keys the gateway accepts, and turning a raw
 * (percent-encoded) path segment into a key.
 *
 * S3 accepts almost anything: `a//b`, `dir/`, `..`, `./x`, `* % ~ # = + :`,
 * spaces and any Unicode. Rejected here are only what cannot be a key at all
 * (empty, over 1024 UTF-8 bytes, lone surrogates, which have no UTF-8 form) and
 * control characters, which S3 itself cannot return in XML listings.
 */

export const MAX_KEY_BYTES = 1024;

/** The reason `validateKey` gives for an over-long key (S3 answers it with KeyTooLongError). */
export const KEY_TOO_LONG = `key is longer than ${MAX_KEY_BYTES} bytes in UTF-8`;

/** A reason the key is unacceptable, or null when it is a valid key. */
export function validateKey(key: string): string | null {
  if (key.length === 0) return 'key is empty';
  // A cheap upper bound first: each UTF-16 unit is at most 3 UTF-8 bytes.
  let bytes = 0;
  for (let i = 0; i < key.length; i++) {
    const unit = key.charCodeAt(i);
    if (unit < 0x80) {
      if (unit < 0x20 || unit === 0x7f) return 'key contains a control character';
      bytes += 1;
    } else if (unit < 0x800) {
      bytes += 2;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      const next = key.charCodeAt(i + 1);
      if (unit > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return 'key contains a lone surrogate (not valid UTF-8)';
      bytes += 4;
      i++;
    } else {
      bytes += 3;
    }
  }
  if (bytes > MAX_KEY_BYTES) return KEY_TOO_LONG;
  return null;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const utf8 = new TextEncoder();

/**
 * Percent-decode a raw path segment into a key; null when an escape is
 * malformed or the bytes are not valid UTF-8. `+` stays a literal plus (it
 * means space only in form-encoded query strings). Characters that are not
 * escapes are taken as text and contribute their UTF-8 bytes.
 */
export function decodeKeyBytes(encoded: string): string | null {
  if (!encoded.includes('%')) return isWellFormed(encoded) ? encoded : null;
  const out = new Uint8Array(utf8.encode(encoded).length);
  let length = 0;
  for (let i = 0; i < encoded.length; i++) {
    const unit = encoded.charCodeAt(i);
    if (unit === 0x25 /* % */) {
      const hi = hexValue(encoded.charCodeAt(i + 1));
      const lo = hexValue(encoded.charCodeAt(i + 2));
      if (hi < 0 || lo < 0) return null;
      out[length++] = (hi << 4) | lo;
      i += 2;
    } else if (unit < 0x80) {
      out[length++] = unit;
    } else {
      // Copy the run of non-ASCII text up to the next ASCII character as UTF-8.
      let end = i + 1;
      while (end < encoded.length && encoded.charCodeAt(end) >= 0x80) end++;
      const run = encoded.slice(i, end);
      if (!isWellFormed(run)) return null;
      const { written } = utf8.encodeInto(run, out.subarray(length));
      length += written;
      i = end - 1;
    }
  }
  try {
    return strictUtf8.decode(out.subarray(0, length));
  } catch {
    return null;
  }
}

/** No lone surrogates (`String.prototype.isWellFormed`, which the ES2023 typings lack). */
export function isWellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    const next = text.charCodeAt(i + 1);
    if (unit > 0xdbff || !(next >= 0xdc00 && next <= 0xdfff)) return false;
    i++;
  }
  return true;
}

function hexValue(unit: number): number {
  if (unit >= 0x30 && unit <= 0x39) return unit - 0x30;
  const lower = unit | 0x20;
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10;
  return -1;
}
