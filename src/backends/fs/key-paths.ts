/**
 * How keys map to paths under the root, and back.
 *
 * A key's `/`-separated segments become nested folders and a final file name,
 * so a plain folder tree publishes as-is: `a/b/c.txt` ↔ `<root>/a/b/c.txt`.
 * Segments a file system cannot hold literally are escaped into reserved names:
 *
 * - `""` (from `a//b` or a trailing `dir/`), `.`, `..`, any segment starting
 *   with `.sluice` in any letter case, and segments over 255 UTF-8 bytes, become
 *   `.sluice~<base64url of the segment's UTF-8 bytes>` when that fits in 255
 *   bytes,
 * - otherwise `.sluice#<sha256 hex of the bytes>`, with the segment itself
 *   recorded in the long-name store (`long-names.ts`).
 *
 * Everything else (any Unicode, spaces, `* % ~ # = + : \`) is a literal name,
 * so no key can produce `..` or an empty segment, and none can leave the root.
 * Names starting with `.sluice` (in any case) that are not the canonical escape
 * of some segment (including the private `.sluice` folder) are never read back
 * as keys, which keeps the mapping one-to-one. Matching ignores case because
 * case-insensitive file systems (macOS, Windows defaults) open `.sluice` for
 * `.SLUICE`: no key may produce such a name, or it would reach the private folder.
 */
import { createHash } from 'node:crypto';

export const RESERVED_PREFIX = '.sluice';
/** Gateway-private files (sidecars, temp files, long names) live under `<root>/.sluice/`. */
export const PRIVATE_DIR = '.sluice';
const ESCAPED = '.sluice~';
const HASHED = '.sluice#';
export const NAME_MAX_BYTES = 255;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A segment stored under a digest name; the long-name store must know it before the name is used. */
export interface HashedSegment {
  digest: string;
  segment: string;
}

export interface EncodedKey {
  /** File-system names, one per key segment; join with `/` under the root. */
  names: string[];
  hashed: HashedSegment[];
}

function tooLongForName(segment: string): boolean {
  // No UTF-16 unit takes more than 3 UTF-8 bytes, which settles most segments without counting.
  return segment.length * 3 > NAME_MAX_BYTES && Buffer.byteLength(segment, 'utf8') > NAME_MAX_BYTES;
}

const RESERVED_FOLDED = RESERVED_PREFIX.toUpperCase();

/**
 * Whether a name starts with the reserved prefix as a case-insensitive file
 * system sees it. Upper-casing folds more than lower-casing does (`ſ` → `S`,
 * `ı` → `I`), so it is the safer comparison.
 */
export function hasReservedPrefix(name: string): boolean {
  return name.slice(0, RESERVED_PREFIX.length).toUpperCase() === RESERVED_FOLDED;
}

export function needsEscape(segment: string): boolean {
  return segment === '' || segment === '.' || segment === '..' || hasReservedPrefix(segment) ||
    tooLongForName(segment);
}

export function segmentDigest(segment: string): string {
  return createHash('sha256').update(segment, 'utf8').digest('hex');
}

/** The file-system name of one key segment, and the digest record when it is hashed. */
export function encodeSegment(segment: string): { name: string; hashed?: HashedSegment } {
  if (!needsEscape(segment)) return { name: segment };
  const escaped = ESCAPED + Buffer.from(segment, 'utf8').toString('base64url');
  if (escaped.length <= NAME_MAX_BYTES) return { name: escaped };
  const digest = segmentDigest(segment);
  return { name: HASHED + digest, hashed: { digest, segment } };
}

export function encodeKey(key: string): EncodedKey {
  const names: string[] = [];
  const hashed: HashedSegment[] = [];
  for (const segment of key.split('/')) {
    const encoded = encodeSegment(segment);
    names.push(encoded.name);
    if (encoded.hashed) hashed.push(encoded.hashed);
  }
  return { names, hashed };
}

/** What a directory entry's name stands for. */
export type DecodedName =
  | { kind: 'segment'; segment: string }
  | { kind: 'hashed'; digest: string }
  | { kind: 'hidden' };

const HIDDEN: DecodedName = { kind: 'hidden' };
const DIGEST = /^[0-9a-f]{64}$/;

/**
 * Decode a raw directory entry name. Names that are not valid UTF-8, reserved
 * names that are not canonical escapes, and private files come back hidden.
 */
export function decodeName(raw: Uint8Array): DecodedName {
  let name: string;
  try {
    name = strictUtf8.decode(raw);
  } catch {
    return HIDDEN;
  }
  if (!hasReservedPrefix(name)) return { kind: 'segment', segment: name };
  if (name.startsWith(ESCAPED)) {
    const encoded = name.slice(ESCAPED.length);
    const bytes = Buffer.from(encoded, 'base64url');
    if (bytes.toString('base64url') !== encoded) return HIDDEN;
    let segment: string;
    try {
      segment = strictUtf8.decode(bytes);
    } catch {
      return HIDDEN;
    }
    return encodeSegment(segment).name === name ? { kind: 'segment', segment } : HIDDEN;
  }
  if (name.startsWith(HASHED)) {
    const digest = name.slice(HASHED.length);
    return DIGEST.test(digest) ? { kind: 'hashed', digest } : HIDDEN;
  }
  return HIDDEN;
}

/** Whether `segment` is the one a hashed name stands for (guards against a stale or forged long-name record). */
export function isHashedNameOf(digest: string, segment: string): boolean {
  return encodeSegment(segment).hashed?.digest === digest;
}
