/**
 * Table-driven CRCs for S3's additional checksums: CRC32 (IEEE), CRC32C
 * (Castagnoli) and CRC64/NVME, all reflected, incremental, and rendered the
 * way S3 writes them (big-endian bytes in base64).
 */

function table32(poly: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ poly : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

export interface IncrementalChecksum {
  update(bytes: Uint8Array): void;
  /** Big-endian digest bytes. */
  digest(): Uint8Array;
}

export function crc32Factory(poly: number): () => IncrementalChecksum {
  const table = table32(poly);
  return () => {
    let crc = 0xffffffff;
    return {
      update(bytes) {
        let c = crc;
        for (let i = 0; i < bytes.length; i++) c = table[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
        crc = c;
      },
      digest() {
        const value = (crc ^ 0xffffffff) >>> 0;
        return new Uint8Array([value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff]);
      },
    };
  };
}

export const createCrc32 = crc32Factory(0xedb88320);
export const createCrc32c = crc32Factory(0x82f63b78);

// CRC64/NVME: reflected polynomial 0x9A6C9329AC4BC9B5, kept as two 32-bit halves.
const NVME_HI = 0x9a6c9329;
const NVME_LO = 0xac4bc9b5;
const TABLE64_HI = new Uint32Array(256);
const TABLE64_LO = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
  let hi = 0;
  let lo = n;
  for (let k = 0; k < 8; k++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi >>>= 1;
    if (carry) {
      hi = (hi ^ NVME_HI) >>> 0;
      lo = (lo ^ NVME_LO) >>> 0;
    }
  }
  TABLE64_HI[n] = hi;
  TABLE64_LO[n] = lo;
}

export function createCrc64Nvme(): IncrementalChecksum {
  let hi = 0xffffffff;
  let lo = 0xffffffff;
  return {
    update(bytes) {
      let h = hi;
      let l = lo;
      for (let i = 0; i < bytes.length; i++) {
        const index = (l ^ bytes[i]!) & 0xff;
        // shift the 64-bit value right by 8, then xor the table entry
        l = ((l >>> 8) | (h << 24)) >>> 0;
        h >>>= 8;
        h = (h ^ TABLE64_HI[index]!) >>> 0;
        l = (l ^ TABLE64_LO[index]!) >>> 0;
      }
      hi = h;
      lo = l;
    },
    digest() {
      const h = (hi ^ 0xffffffff) >>> 0;
      const l = (lo ^ 0xffffffff) >>> 0;
      return new Uint8Array([h >>> 24, (h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff, l >>> 24, (l >>> 16) & 0xff, (l >>> 8) & 0xff, l & 0xff]);
    },
  };
}
