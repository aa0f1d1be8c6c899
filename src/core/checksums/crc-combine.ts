/**
 * Combining CRCs: the CRC of `A ‖ B` from CRC(A), CRC(B) and the length of B,
 * without the bytes — how a multipart upload's full-object checksum comes
 * from its parts' checksums. Works for every reflected CRC with all-ones
 * initial value and final xor (CRC32, CRC32C, CRC64/NVME): multiplying
 * CRC(A) by x^(8·len(B)) modulo the polynomial shifts it past B's bytes.
 */

interface CrcSpec {
  width: bigint;
  /** Reflected polynomial. */
  poly: bigint;
  /** x^(2^k) mod P for k = 0…63, in reflected form. */
  powers: bigint[];
}

function spec(width: number, poly: bigint): CrcSpec {
  const w = BigInt(width);
  const s: CrcSpec = { width: w, poly, powers: [] };
  let p = 1n << (w - 2n); // x^1
  for (let k = 0; k < 64; k++) {
    s.powers.push(p);
    p = multiplyModP(s, p, p);
  }
  return s;
}

/** a·b mod P, both in reflected form (the top bit is x^0). */
function multiplyModP(s: CrcSpec, a: bigint, b: bigint): bigint {
  let m = 1n << (s.width - 1n);
  let product = 0n;
  for (;;) {
    if (a & m) {
      product ^= b;
      if ((a & (m - 1n)) === 0n) break;
    }
    m >>= 1n;
    b = b & 1n ? (b >> 1n) ^ s.poly : b >> 1n;
  }
  return product;
}

/** x^(8·bytes) mod P. */
function shiftFor(s: CrcSpec, bytes: number): bigint {
  let p = 1n << (s.width - 1n); // x^0
  let n = BigInt(bytes);
  let k = 3; // 2^3 bits per byte
  while (n > 0n) {
    if (n & 1n) p = multiplyModP(s, s.powers[k]!, p);
    n >>= 1n;
    k++;
  }
  return p;
}

const SPECS: Record<string, CrcSpec> = {
  CRC32: spec(32, 0xedb88320n),
  CRC32C: spec(32, 0x82f63b78n),
  CRC64NVME: spec(64, 0x9a6c9329ac4bc9b5n),
};

/** Whether `algorithm` (upper case) can be combined. */
export function isCombinableCrc(algorithm: string): boolean {
  return Object.hasOwn(SPECS, algorithm);
}

/** CRC(A ‖ B) from big-endian CRC(A), CRC(B) and len(B) (big-endian bytes, as S3 writes checksums). */
export function combineCrc(algorithm: string, first: Uint8Array, second: Uint8Array, secondLength: number): Uint8Array {
  const s = SPECS[algorithm];
  if (!s) throw new TypeError(`not a combinable CRC: ${algorithm}`);
  const value = multiplyModP(s, shiftFor(s, secondLength), toBigInt(first)) ^ toBigInt(second);
  return fromBigInt(value, Number(s.width) / 8);
}

function toBigInt(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function fromBigInt(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return out;
}
