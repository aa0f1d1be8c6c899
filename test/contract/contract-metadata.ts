/**
 * Contract: the object attributes beyond content headers — storage class,
 * tag set, additional checksum, Unicode user metadata — stored by a put and
 * reported back by head, get and (storage class) listings.
 */
import assert from 'node:assert/strict';
import type { ObjectChecksum, ObjectInfo } from '../../src/core/backend.ts';
import { bytesBody } from '../../src/core/body.ts';
import { toBase64 } from '../../src/core/base64.ts';
import { createCrc32 } from '../../src/core/checksums/crc.ts';
import { tagCount } from '../../src/core/s3/object-tagging.ts';
import { bytes, listParams, put, readText, type ContractContext } from './contract-support.ts';

function crc32(content: string): string {
  const checksum = createCrc32();
  checksum.update(bytes(content));
  return toBase64(checksum.digest());
}

const tagsOf = (info: ObjectInfo) => (info.tagging !== undefined ? tagCount(info.tagging) : (info.tagCount ?? 0));

export function registerMetadataTests({ test }: ContractContext): void {
  test('a storage class is stored and reported by head, get and listings', async (backend) => {
    await put(backend, 'cold/archive.bin', 'old data', { storageClass: 'STANDARD_IA' });
    await put(backend, 'cold/plain.bin', 'new data');
    assert.equal((await backend.head('cold/archive.bin')).storageClass, 'STANDARD_IA');
    const got = await backend.get('cold/archive.bin');
    await readText(got.body);
    assert.equal(got.info.storageClass, 'STANDARD_IA');
    const listed = await backend.list(listParams({ prefix: 'cold/' }));
    assert.equal(listed.objects.find((o) => o.key === 'cold/archive.bin')?.storageClass, 'STANDARD_IA');
    assert.ok(['STANDARD', undefined].includes(listed.objects.find((o) => o.key === 'cold/plain.bin')?.storageClass), 'no class is STANDARD');
  });

  test('a tag set is stored and its size reported', async (backend) => {
    await put(backend, 'tagged', 'x', { tagging: 'project=climate&stage=raw%20data' });
    assert.equal(tagsOf(await backend.head('tagged')), 2);
    await put(backend, 'untagged', 'x');
    assert.equal(tagsOf(await backend.head('untagged')), 0);
  });

  test('an additional checksum given with the put is stored and reported', async (backend) => {
    const checksum: ObjectChecksum = { algorithm: 'CRC32', value: crc32('checked content'), type: 'FULL_OBJECT' };
    await put(backend, 'checked', 'checked content', { checksum });
    assert.deepEqual((await backend.head('checked')).checksum, checksum);
    const got = await backend.get('checked');
    await readText(got.body);
    assert.deepEqual(got.info.checksum, checksum);
  });

  test('a checksum known only once the body has ended (a trailer) is stored', async (backend) => {
    const value = crc32('trailed content');
    let ended = false;
    const data = bytes('trailed content');
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (ended) return;
        controller.enqueue(data.slice());
        ended = true;
        controller.close();
      },
    });
    const checksum: ObjectChecksum = { algorithm: 'CRC32', type: 'FULL_OBJECT', get value() { return ended ? value : undefined; } };
    await backend.put('trailed', body, { metadata: {}, checksum }, { contentLength: data.byteLength });
    assert.deepEqual((await backend.head('trailed')).checksum, { algorithm: 'CRC32', value, type: 'FULL_OBJECT' });
  });

  test('user metadata values in any Unicode round-trip exactly', async (backend) => {
    const metadata = { note: 'café ✓ 日本語 😀', plain: 'ascii', mixed: 'line =?not-encoded?= ü' };
    await backend.put('unicode-meta', bytesBody('x'), { metadata });
    assert.deepEqual((await backend.head('unicode-meta')).metadata, metadata);
  });
}
