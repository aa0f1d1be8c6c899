/**
 * What the Azure multipart mapping adds to the contract, against Azurite:
 * parts larger than a block, the registry kept out of the key space,
 * conditional completion, the block ids' shape, and what happens when a
 * plain put of the key discards the staged parts.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { startAzurite, type AzuritePeer } from '../../../test/peers/azurite-peer.ts';
import { getText, put, rejectsWith } from '../../../test/contract/contract-support.ts';
import { InvalidPartError, PreconditionFailedError } from '../../core/backend-errors.ts';
import { bytesBody, readAll } from '../../core/body.ts';
import { MIN_PART_BYTES } from '../../core/multipart/completion.ts';
import { createNodeHttpClient } from '../../runtimes/node/http-client.ts';
import { AzureBackend } from './azure-backend.ts';
import { blockId, uploadBlockId } from './block-upload.ts';
import { decodePartSizes, encodePartSizes } from './object-headers.ts';
import { decodeBase64 } from './shared-key.ts';
import { parseBlockList } from './xml.ts';

let started: Promise<AzuritePeer> | undefined;
const http = createNodeHttpClient({});
after(async () => {
  http.close();
  await (await started?.catch(() => undefined))?.stop();
});
let containers = 0;
const BLOCK = 256 * 1024;

async function fresh(prefix = ''): Promise<AzureBackend> {
  const peer = await (started ??= startAzurite());
  const container = `mp-extra-${++containers}`;
  await peer.createContainer(container);
  return new AzureBackend({ account: peer.account, container, endpoint: peer.endpoint, prefix, auth: { kind: 'sharedKey', accountKey: peer.accountKey }, http, blockSize: BLOCK });
}

async function blockList(backend: AzureBackend, key: string, which: 'CommittedBlocks' | 'UncommittedBlocks') {
  const res = await backend.transport.send({ operation: 'GetBlockList', method: 'GET', url: backend.blobUrl(key, 'comp=blocklist&blocklisttype=all'), idempotent: true });
  return parseBlockList(new TextDecoder().decode(await readAll(res.body)), which);
}

const md5 = (data: Uint8Array) => createHash('md5').update(data).digest();

describe('Azure multipart mapping', () => {
  it('block ids have one length for plain uploads and parts, and name upload, part and index', () => {
    const plain = uploadBlockId('0123456789abcdef01234567', 3);
    const part = blockId({ tag: 'fedcba9876543210fedcba98', partNumber: 10_000, attempt: '0a0b0c0d', index: 12 });
    assert.equal(plain.length, part.length);
    assert.equal(new TextDecoder().decode(decodeBase64(part)), 'fedcba9876543210fedcba98-10000-0a0b0c0d-00000012');
    assert.throws(() => blockId({ tag: 'short', partNumber: 1, attempt: '0a0b0c0d', index: 0 }), TypeError);
  });

  it('part sizes are run-length encoded and decoded', () => {
    assert.equal(encodePartSizes([5, 5, 5, 2]), '5x3,2');
    assert.deepEqual(decodePartSizes('5x3,2'), [5, 5, 5, 2]);
    assert.equal(decodePartSizes('5x20000'), undefined);
    assert.equal(decodePartSizes('5,,2'), undefined);
    assert.equal(encodePartSizes(Array.from({ length: 5000 }, (_, i) => 1_000_000 + i)), undefined);
  });

  it('a part larger than a block is staged as several blocks and committed in order', async () => {
    const backend = await fresh('p/');
    const { uploadId } = await backend.multipart.create('big', { metadata: {} });
    const one = new Uint8Array(randomBytes(MIN_PART_BYTES + 17));
    const two = new Uint8Array(randomBytes(BLOCK + 1));
    const p1 = await backend.multipart.uploadPart('big', uploadId, 1, bytesBody(one));
    const p2 = await backend.multipart.uploadPart('big', uploadId, 2, bytesBody(two));
    const staged = await blockList(backend, 'big', 'UncommittedBlocks');
    assert.equal(staged.length, Math.ceil(one.length / BLOCK) + 2);
    const done = await backend.multipart.complete('big', uploadId, [{ partNumber: 1, etag: p1.etag }, { partNumber: 2, etag: p2.etag }]);
    assert.equal(done.etag, `"${createHash('md5').update(Buffer.concat([md5(one), md5(two)])).digest('hex')}-2"`);
    const committed = await blockList(backend, 'big', 'CommittedBlocks');
    assert.equal(committed.length, staged.length);
    assert.deepEqual(await readAll((await backend.get('big')).body), new Uint8Array(Buffer.concat([one, two])));
    const head = await backend.head('big');
    assert.equal(head.etag, done.etag);
    assert.deepEqual(head.partSizes, [one.length, two.length]);
    // Listings report the multipart ETag too.
    assert.deepEqual((await backend.list({ prefix: '', maxKeys: 10 })).objects.map((o) => [o.key, o.etag]), [['big', done.etag]]);
  });

  it('the registry stays out of the key space: keys under .sluice/ are escaped, the registry never lists', async () => {
    const backend = await fresh();
    const { uploadId } = await backend.multipart.create('a', { metadata: {} });
    await put(backend, '.s-key', 'x');
    // Keys in the registry's own name space are stored beside it, not in it.
    await put(backend, `.sluice/uploads/${uploadId}`, 'a key, not a marker');
    await put(backend, '.sluice~/b', 'escaped twice');
    assert.equal(await getText(backend, `.sluice/uploads/${uploadId}`), 'a key, not a marker');
    assert.deepEqual((await backend.multipart.listUploads({ prefix: '', maxUploads: 10 })).uploads.map((u) => [u.key, u.uploadId]), [['a', uploadId]]);
    assert.equal((await backend.multipart.listParts('a', uploadId, { maxParts: 10 })).parts.length, 0);
    const keys = ['.s-key', `.sluice/uploads/${uploadId}`, '.sluice~/b'];
    assert.deepEqual((await backend.list({ prefix: '', maxKeys: 100 })).objects.map((o) => o.key), keys);
    const grouped = await backend.list({ prefix: '', delimiter: '/', maxKeys: 100 });
    assert.deepEqual([grouped.objects.map((o) => o.key), grouped.commonPrefixes], [['.s-key'], ['.sluice/', '.sluice~/']]);
    // A delimiter that would group the registry with the keys under a short prefix.
    const short = await backend.list({ prefix: '', delimiter: 'l', maxKeys: 100 });
    assert.deepEqual([short.objects.map((o) => o.key), short.commonPrefixes], [['.s-key'], ['.sl']]);
    assert.deepEqual((await backend.list({ prefix: '.sluice~', maxKeys: 100 })).objects.map((o) => o.key), ['.sluice~/b']);
    assert.deepEqual((await backend.list({ prefix: '.sluice/', delimiter: '/', maxKeys: 100 })).commonPrefixes, ['.sluice/uploads/']);
    await backend.delete(`.sluice/uploads/${uploadId}`);
    assert.deepEqual((await backend.multipart.listUploads({ prefix: '', maxUploads: 10 })).uploads.map((u) => u.uploadId), [uploadId]);
  });

  it('completion honours If-None-Match: * and If-Match, leaving the upload to retry', async () => {
    const backend = await fresh();
    const existing = await put(backend, 'k', 'old');
    const { uploadId } = await backend.multipart.create('k', { metadata: {} });
    const p1 = await backend.multipart.uploadPart('k', uploadId, 1, bytesBody('new'));
    const parts = [{ partNumber: 1, etag: p1.etag }];
    await rejectsWith(() => backend.multipart.complete('k', uploadId, parts, { conditions: { ifNoneMatch: '*' } }), PreconditionFailedError);
    await rejectsWith(() => backend.multipart.complete('k', uploadId, parts, { conditions: { ifMatch: '"00000000000000000000000000000000"' } }), PreconditionFailedError);
    assert.equal(await getText(backend, 'k'), 'old');
    await backend.multipart.complete('k', uploadId, parts, { conditions: { ifMatch: existing.etag } });
    assert.equal(await getText(backend, 'k'), 'new');
  });

  it('a plain put of the key discards staged parts: completion is InvalidPart and the put stays', async () => {
    const backend = await fresh();
    const { uploadId } = await backend.multipart.create('k', { metadata: {} });
    const p1 = await backend.multipart.uploadPart('k', uploadId, 1, bytesBody('staged'));
    await put(backend, 'k', new Uint8Array(BLOCK * 2 + 1).fill(1));
    await rejectsWith(() => backend.multipart.complete('k', uploadId, [{ partNumber: 1, etag: p1.etag }]), InvalidPartError);
    assert.equal((await backend.head('k')).size, BLOCK * 2 + 1);
    await backend.multipart.abort('k', uploadId);
  });

  it('metadata that Azure cannot hold is refused when the upload is created', async () => {
    const backend = await fresh();
    await assert.rejects(backend.multipart.create('k', { metadata: { 'bad name': 'x' } }), { name: 'UnsupportedMetadataError' });
    assert.deepEqual((await backend.multipart.listUploads({ prefix: '', maxUploads: 10 })).uploads, []);
  });
});
