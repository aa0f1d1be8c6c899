/**
 * Keys that break naive gateways and backends: URL-special characters,
 * Unicode normalisation variants, path-like segments that a file system would
 * interpret (`..`, `.`, empty segments), names shaped like a backend's own
 * reserved or escaped forms, and length limits. Every backend must store each
 * byte-faithfully and list it exactly once under its exact key.
 */

const utf8 = new TextEncoder();

/** A key of exactly `bytes` UTF-8 bytes built from `/`-separated segments of `segment` bytes. */
function keyOfBytes(bytes: number, segment: number): string {
  let key = '';
  while (utf8.encode(key).length + segment + 1 <= bytes) key += 's'.repeat(segment) + '/';
  return key + 't'.repeat(bytes - utf8.encode(key).length);
}

export const hostileKeys: readonly string[] = [
  // URL- and shell-special characters.
  'star*', 'percent%', 'percent%%', 'tilde~', 'hash#frag', 'equals=', 'plus+sign', 'colon:', 'with space',
  ' ', 'trailing space ', 'question?mark', 'amp&ersand', 'back\\slash', '\\..\\windows', 'double"quote',
  "single'quote", 'semi;colon', 'pipe|', 'lt<gt>', 'caret^', 'back`tick', 'bang!', 'at@', 'dollar$', 'paren(s)',
  'brace{s}', 'bracket[s]', 'comma,',
  // Percent sequences are literal text in a key.
  '%2F', '%00', '%2e%2e/x', 'a%2Fb', '%', '%zz',
  // Unicode: normalisation variants are distinct keys, as are case variants.
  'caf\u00e9', 'cafe\u0301', 'Case', 'case', 'emoji-\u{1F600}', '\u{1F4A9}/\u{1F600}', '\uE000', '\uFFFD', '\u{10FFFF}',
  'ℌ𝔢𝔩𝔩𝔬', '日本語/キー', 'ﬁ-ligature', '\u200B-zero-width', '\u00A0nbsp',
  // Path-like segments.
  'a//b', 'dir/', 'dir/x', '..', '../x', 'a/../b', '../../../../etc/passwd', './a', '.', 'x/.', 'x/./y', '/leading',
  'trailing//', '.hidden', '...', '~/home',
  // Shapes of reserved and escaped names.
  '.sluice', '.sluice/x', '.sluice~', '.sluice~Li4', '.sluicex', 'p/.sluice#00', 'q/.sluice~',
  // Lengths: a 1024-byte key, a 1024-byte multi-byte single segment, segments at and past 255 bytes.
  keyOfBytes(1024, 99),
  '\u00e9'.repeat(512),
  'm'.repeat(255),
  'L'.repeat(256),
  '\u00e9'.repeat(130),
  '.sluice' + 'x'.repeat(240),
  'n/' + 'o'.repeat(300) + '/p',
];

/** Keys no other corpus key nests under (`k` and `k/…`), which hierarchical stores cannot hold at once. */
export const coexistingHostileKeys: readonly string[] = hostileKeys.filter(
  (key) => !hostileKeys.some((other) => other.startsWith(key + '/')),
);
