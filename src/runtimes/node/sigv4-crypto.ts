/**
 * SigV4 primitives on `node:crypto`: synchronous HMAC and SHA-256, and a
 * native incremental hasher for streamed bodies. Plugged into verification
 * and signing on Node in place of the WebCrypto default, which must hop
 * through promises (and re-import the HMAC key) on every call.
 */
import { createHash, createHmac } from 'node:crypto';
import type { SigV4Crypto } from '../../auth/sigv4/crypto.ts';

export const nodeSigV4Crypto: SigV4Crypto = {
  sha256Hex(data) {
    return createHash('sha256').update(data).digest('hex');
  },
  hmac(key, data) {
    return createHmac('sha256', key).update(data).digest();
  },
  createSha256() {
    const hash = createHash('sha256');
    return {
      update(data) {
        hash.update(data);
      },
      digestHex() {
        return hash.digest('hex');
      },
    };
  },
};
