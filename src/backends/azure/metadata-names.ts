/**
 * S3 user-metadata names ↔ Azure metadata names, reversibly.
 *
 * Azure metadata names must be C# identifiers (letters, digits and `_`, not
 * starting with a digit) and compare case-insensitively; S3 names are
 * lower-case HTTP header tokens such as `x-kebab-name`. The bridge:
 *
 * - `a`–`z` and `0`–`9` stay as they are, except a leading digit;
 * - every other character (`_` included) becomes `_` and two lower-case
 *   hex digits of its ASCII code: `x-kebab` → `x_2dkebab`, `a_b` → `a_5fb`,
 *   `1st` → `_31st`.
 *
 * `_` followed by a non-hex character never comes out of the encoding, so
 * names like `_sluice_etag` are free for the backend's own bookkeeping. A
 * name the encoding cannot carry (upper case, characters outside HTTP header
 * tokens, empty) is refused; a name written by another Azure client that is
 * not a valid encoding is passed through as it is.
 */

const TOKEN_CHARS = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/** Why the name cannot be stored (undefined when it can). */
export function metadataNameProblem(name: string): string | undefined {
  if (name === '') return 'metadata names must not be empty';
  if (!TOKEN_CHARS.test(name)) return `metadata name ${JSON.stringify(name)} is not a lower-case HTTP header token`;
  return undefined;
}

/** The Azure name for an S3 metadata name; throws `TypeError` for names `metadataNameProblem` refuses. */
export function encodeMetadataName(name: string): string {
  const problem = metadataNameProblem(name);
  if (problem) throw new TypeError(problem);
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    const plain = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9' && i > 0);
    out += plain ? ch : `_${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
  }
  return out;
}

/**
 * The S3 name for an Azure metadata name (lower-cased, as headers carry it),
 * or `undefined` when it is not an encoding (the caller decides: reserved
 * names are dropped, foreign names kept as they are).
 */
export function decodeMetadataName(azureName: string): string | undefined {
  const name = azureName.toLowerCase();
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i]!;
    if (ch !== '_') {
      out += ch;
      continue;
    }
    const hex = name.slice(i + 1, i + 3);
    if (!/^[0-9a-f]{2}$/.test(hex)) return undefined;
    const decoded = String.fromCharCode(parseInt(hex, 16));
    if (!TOKEN_CHARS.test(decoded) || /[a-z]/.test(decoded) || (/[0-9]/.test(decoded) && i > 0)) return undefined;
    out += decoded;
    i += 2;
  }
  return out;
}
