/**
 * The order S3 lists keys in: UTF-8 binary order.
 *
 * JS string comparison orders UTF-16 code units, which disagrees with UTF-8
 * byte order exactly where a surrogate (an astral character) meets a unit in
 * U+E000–U+FFFF. Comparing code points is equivalent to comparing UTF-8 bytes,
 * so the units are remapped to restore code point order at the first
 * difference.
 */

/** Negative, zero or positive as `a` sorts before, equal to or after `b` in UTF-8 byte order. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

/** Surrogates (astral code points) move above U+E000–U+FFFF; order within each group is kept. */
function rank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit >= 0xe000 ? unit - 0x800 : unit + 0x2000;
}

/** The later of two optional keys in list order. */
export function laterKey(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareKeys(a, b) >= 0 ? a : b;
}
