/**
 * The tile workload's request list: ranged GETs of fixed-size, aligned
 * pieces of one large object, the pieces chosen with Zipf-distributed
 * popularity (a few hot tiles, a long tail), as map and array clients read
 * cloud-optimised files. Seeded, so every run and every server gets the same
 * list; the hot tiles are scattered over the object rather than at its start.
 */

/** mulberry32: small, fast and good enough to draw a benchmark's requests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface TileOptions {
  objectSize: number;
  tileSize: number;
  count: number;
  /** Zipf exponent: probability of the tile of popularity rank k ∝ 1/k^s. */
  exponent?: number;
  seed?: number;
}

/** `count` Range header values (`bytes=first-last`), in request order. */
export function zipfTileRanges({ objectSize, tileSize, count, exponent = 1, seed = 0x5eed }: TileOptions): string[] {
  const tiles = Math.floor(objectSize / tileSize);
  const random = seededRandom(seed);
  // Rank → tile: a seeded shuffle, so popularity is not tied to position in the object.
  const tileOfRank = Array.from({ length: tiles }, (_, i) => i);
  for (let i = tiles - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [tileOfRank[i], tileOfRank[j]] = [tileOfRank[j]!, tileOfRank[i]!];
  }
  const cumulative = new Float64Array(tiles);
  let sum = 0;
  for (let k = 0; k < tiles; k++) cumulative[k] = sum += 1 / (k + 1) ** exponent;
  const ranges: string[] = [];
  for (let n = 0; n < count; n++) {
    const u = random() * sum;
    let lo = 0;
    let hi = tiles - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    const first = tileOfRank[lo]! * tileSize;
    ranges.push(`bytes=${first}-${first + tileSize - 1}`);
  }
  return ranges;
}
