/**
 * MD5 (RFC 1321), incremental. S3 ETags of single-part objects are the MD5 of
 * the content, and WebCrypto offers no MD5, so runtime-agnostic code computes
 * it here while a body streams through. (Node-only code may prefer
 * `node:crypto`, which is faster.)
 */

export interface Md5 {
  update(bytes: Uint8Array): void;
  /** Lower-case hex digest; the hash cannot be updated afterwards. */
  digestHex(): string;
}

// Per-round shift amounts and the sine-derived constants from RFC 1321 §3.4.
const SHIFTS = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];
const K = new Int32Array([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
]);

export function createMd5(): Md5 {
  const state = new Int32Array([0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476]);
  const block = new Uint8Array(64);
  const words = new Int32Array(16);
  let buffered = 0;
  let total = 0;
  let finished = false;

  function compress(bytes: Uint8Array, offset: number): void {
    for (let i = 0; i < 16; i++) {
      const o = offset + i * 4;
      words[i] = bytes[o]! | (bytes[o + 1]! << 8) | (bytes[o + 2]! << 16) | (bytes[o + 3]! << 24);
    }
    let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const s = SHIFTS[((i >> 4) << 2) | (i & 3)]!;
      const sum = (a + f + K[i]! + words[g]!) | 0;
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
    }
    state[0] = (state[0]! + a) | 0;
    state[1] = (state[1]! + b) | 0;
    state[2] = (state[2]! + c) | 0;
    state[3] = (state[3]! + d) | 0;
  }

  function update(bytes: Uint8Array): void {
    if (finished) throw new Error('md5: update after digest');
    total += bytes.length;
    let offset = 0;
    if (buffered > 0) {
      const take = Math.min(64 - buffered, bytes.length);
      block.set(bytes.subarray(0, take), buffered);
      buffered += take;
      offset = take;
      if (buffered < 64) return;
      compress(block, 0);
      buffered = 0;
    }
    for (; offset + 64 <= bytes.length; offset += 64) compress(bytes, offset);
    if (offset < bytes.length) {
      block.set(bytes.subarray(offset), 0);
      buffered = bytes.length - offset;
    }
  }

  function digestHex(): string {
    if (finished) throw new Error('md5: digest already taken');
    const bitLength = total * 8;
    const padding = new Uint8Array(buffered < 56 ? 64 - buffered : 128 - buffered);
    padding[0] = 0x80;
    const n = padding.length;
    // Length in bits, little-endian 64-bit; split to stay exact beyond 2^32.
    const low = bitLength % 0x100000000;
    const high = Math.floor(bitLength / 0x100000000);
    for (let i = 0; i < 4; i++) {
      padding[n - 8 + i] = (low >>> (8 * i)) & 0xff;
      padding[n - 4 + i] = (high >>> (8 * i)) & 0xff;
    }
    update(padding);
    finished = true;
    let hex = '';
    for (let i = 0; i < 4; i++) {
      const word = state[i]!;
      for (let j = 0; j < 4; j++) hex += ((word >>> (8 * j)) & 0xff).toString(16).padStart(2, '0');
    }
    return hex;
  }

  return { update, digestHex };
}

/** MD5 of bytes already in memory, as lower-case hex. */
export function md5Hex(bytes: Uint8Array): string {
  const hash = createMd5();
  hash.update(bytes);
  return hash.digestHex();
}
