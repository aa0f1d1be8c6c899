/**
 * The `Range` header as S3 reads it, and resolving a range against an object.
 *
 * S3 serves one range per request. A header it cannot use (bad syntax, more
 * than one range, `last < first`, another unit) is ignored and the whole
 * object is returned, as RFC 9110 allows. An unsatisfiable range (starting at
 * or past the end, a zero suffix, any range of an empty object) is an error.
 */
import type { ByteRange, RangeRequest } from '../backend.ts';

const SINGLE_RANGE = /^bytes[ \t]*=[ \t]*(\d*)[ \t]*-[ \t]*(\d*)$/i;

/** The range the client asked for, or undefined when the header is absent or to be ignored. */
export function parseRangeHeader(value: string | undefined): RangeRequest | undefined {
  if (value === undefined) return undefined;
  const match = SINGLE_RANGE.exec(value.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') return { kind: 'suffix', length: toCount(last) };
  if (last === '') return { kind: 'from', first: toCount(first) };
  if (compareDigits(first, last) > 0) return undefined;
  return { kind: 'bounded', first: toCount(first), last: toCount(last) };
}

/** The inclusive byte range to serve, or 'unsatisfiable' (416 with the object's size). */
export function resolveRange(range: RangeRequest, size: number): ByteRange | 'unsatisfiable' {
  if (size <= 0) return 'unsatisfiable';
  switch (range.kind) {
    case 'bounded':
      if (range.first >= size || range.last < range.first) return 'unsatisfiable';
      return { start: range.first, end: Math.min(range.last, size - 1) };
    case 'from':
      if (range.first >= size) return 'unsatisfiable';
      return { start: range.first, end: size - 1 };
    case 'suffix':
      if (range.length <= 0) return 'unsatisfiable';
      return { start: Math.max(0, size - range.length), end: size - 1 };
  }
}

/** The `Content-Range` value for a served range. */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}

/** Decimal digits to a number; values past 2^53 saturate (they exceed any object anyway). */
function toCount(digits: string): number {
  const value = Number(digits);
  return Number.isSafeInteger(value) ? value : Number.MAX_SAFE_INTEGER;
}

/** Compare two digit strings numerically without losing precision on huge values. */
function compareDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}
