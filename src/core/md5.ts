/**
 * MD5 (RFC 1321), incremental. S3 ETags of single-part objects are the MD5 of
 * the content, and WebCrypto offers no MD5, so runtime-agnostic code computes
 * it here while a body streams through, with `@noble/hashes`. (Node-only code
 * may prefer `node:crypto`, which is faster.)
 */
import { md5 } from '@noble/hashes/legacy.js';
import { bytesToHex } from '@noble/hashes/utils.js';

export interface Md5 {
  update(bytes: Uint8Array): void;
  /** Lower-case hex digest; the hash cannot be updated afterwards. */
  digestHex(): string;
}

export function createMd5(): Md5 {
  const hash = md5.create();
  return {
    update(bytes) {
      hash.update(bytes);
    },
    digestHex() {
      return bytesToHex(hash.digest());
    },
  };
}

/** MD5 of bytes already in memory, as lower-case hex. */
export function md5Hex(bytes: Uint8Array): string {
  return bytesToHex(md5(bytes));
}
