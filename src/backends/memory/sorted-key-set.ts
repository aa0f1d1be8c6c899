/**
 * A set of keys kept in S3 list order (UTF-8 byte order), with the seeks a
 * sorted listing needs: start after a key, and jump past every key sharing a
 * prefix. Inserts shift an array, which is fine for the test- and
 * demo-sized data the memory backend holds.
 */
import { compareKeys } from '../../core/s3/key-order.ts';

export class SortedKeySet {
  private readonly keys: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  add(key: string): void {
    const at = this.lowerBound(key);
    if (this.keys[at] !== key) this.keys.splice(at, 0, key);
  }

  delete(key: string): void {
    const at = this.lowerBound(key);
    if (this.keys[at] === key) this.keys.splice(at, 1);
  }

  at(index: number): string | undefined {
    return this.keys[index];
  }

  /** Index of the first key >= `key`. */
  lowerBound(key: string): number {
    return this.search((k) => compareKeys(k, key) < 0);
  }

  /** Index of the first key > `key`. */
  upperBound(key: string): number {
    return this.search((k) => compareKeys(k, key) <= 0);
  }

  /** Index of the first key after `from` that does not start with `prefix` and sorts after it. */
  pastPrefix(prefix: string, from = 0): number {
    return this.search((k) => compareKeys(k, prefix) < 0 || k.startsWith(prefix), from);
  }

  /** First index in [from, length) where `before` turns false; `before` must be monotone. */
  private search(before: (key: string) => boolean, from = 0): number {
    let lo = from;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(this.keys[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
