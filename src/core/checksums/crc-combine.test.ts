import assert from 'node:assert/strict';
import { test } from 'node:test';
import { combineCrc } from './crc-combine.ts';
import { createCrc32, createCrc32c, createCrc64Nvme, type IncrementalChecksum } from './crc.ts';

const ALGORITHMS: Array<[string, () => IncrementalChecksum]> = [['CRC32', createCrc32], ['CRC32C', createCrc32c], ['CRC64NVME', createCrc64Nvme]];

function digest(create: () => IncrementalChecksum, bytes: Uint8Array): Uint8Array {
  const c = create();
  c.update(bytes);
  return c.digest();
}

for (const [name, create] of ALGORITHMS) {
  test(`${name}: the combination of two parts' CRCs is the CRC of their concatenation`, () => {
    const data = new Uint8Array(70_001).map((_, i) => (i * 131 + (i >> 7)) & 0xff);
    for (const cut of [0, 1, 8, 4095, 65_536, 70_001]) {
      const a = data.subarray(0, cut);
      const b = data.subarray(cut);
      assert.deepEqual(combineCrc(name, digest(create, a), digest(create, b), b.length), digest(create, data), `cut at ${cut}`);
    }
  });
}
