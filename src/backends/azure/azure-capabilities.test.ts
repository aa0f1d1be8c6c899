/**
 * The Azure backend's optional capabilities against Azurite: writes guarded
 * by If-Match / If-None-Match, and Copy Blob within the account.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startAzurite, type AzuritePeer } from '../../../test/peers/azurite-peer.ts';
import { getText, put, quotedMd5, rejectsWith } from '../../../test/contract/contract-support.ts';
import { hasConditionalWrites, hasNativeCopy } from '../../core/backend-capabilities.ts';
import { ObjectNotFoundError, PreconditionFailedError } from '../../core/backend-errors.ts';
import { bytesBody } from '../../core/body.ts';
import { createNodeHttpClient } from '../../runtimes/node/http-client.ts';
import { AzureBackend } from './azure-backend.ts';

let started: Promise<AzuritePeer> | undefined;
const http = createNodeHttpClient({});
after(async () => {
  http.close();
  await (await started?.catch(() => undefined))?.stop();
});
let containers = 0;

async function fresh(): Promise<AzureBackend> {
  const peer = await (started ??= startAzurite());
  const container = `caps-${++containers}`;
  await peer.createContainer(container);
  return new AzureBackend({ account: peer.account, container, endpoint: peer.endpoint, prefix: 'p/', auth: { kind: 'sharedKey', accountKey: peer.accountKey }, http, blockSize: 64 * 1024 });
}

describe('Azure conditional writes', () => {
  it('declares the capability', async () => assert.ok(hasConditionalWrites(await fresh())));

  it('If-None-Match: * creates once and never overwrites', async () => {
    const backend = await fresh();
    const first = await backend.conditionalPut('k', bytesBody('one'), { metadata: {} }, { ifNoneMatch: '*' });
    assert.equal(first.etag, quotedMd5('one'));
    await rejectsWith(() => backend.conditionalPut('k', bytesBody('two'), { metadata: {} }, { ifNoneMatch: '*' }), PreconditionFailedError);
    // A multi-block body is committed under the same condition.
    const big = new Uint8Array(200_000).fill(7);
    await rejectsWith(() => backend.conditionalPut('k', bytesBody(big), { metadata: {} }, { ifNoneMatch: '*' }), PreconditionFailedError);
    assert.equal(await getText(backend, 'k'), 'one');
  });

  it('If-Match writes over the named version only', async () => {
    const backend = await fresh();
    const first = await put(backend, 'k', 'one');
    const second = await backend.conditionalPut('k', bytesBody('two'), { metadata: {} }, { ifMatch: first.etag });
    assert.equal(second.etag, quotedMd5('two'));
    await rejectsWith(() => backend.conditionalPut('k', bytesBody('three'), { metadata: {} }, { ifMatch: first.etag }), PreconditionFailedError);
    await rejectsWith(() => backend.conditionalPut('missing', bytesBody('x'), { metadata: {} }, { ifMatch: first.etag }), ObjectNotFoundError);
    assert.equal(await getText(backend, 'k'), 'two');
  });
});

describe('Azure native copy', () => {
  it('declares the capability', async () => assert.ok(hasNativeCopy(await fresh())));

  it('copies content and metadata, keeping the ETag', async () => {
    const backend = await fresh();
    const { etag } = await put(backend, 'src', 'payload', { contentType: 'text/plain', metadata: { 'x-owner': 'a' }, expires: 'Wed, 21 Oct 2037 07:28:00 GMT' });
    const result = await backend.copy('src', 'dst');
    assert.equal(result.etag, etag);
    const head = await backend.head('dst');
    assert.equal(head.contentType, 'text/plain');
    assert.deepEqual(head.metadata, { 'x-owner': 'a' });
    assert.equal(head.expires, 'Wed, 21 Oct 2037 07:28:00 GMT');
    assert.equal(await getText(backend, 'dst'), 'payload');
  });

  it('replaces metadata and content headers when asked, content and ETag unchanged', async () => {
    const backend = await fresh();
    const { etag } = await put(backend, 'src', 'payload', { contentType: 'text/plain', cacheControl: 'no-cache', metadata: { old: '1' } });
    await backend.copy('src', 'dst', { metadata: { contentType: 'application/json', metadata: { new: '2' } } });
    const head = await backend.head('dst');
    assert.equal(head.etag, etag);
    assert.equal(head.contentType, 'application/json');
    assert.equal(head.cacheControl, undefined);
    assert.deepEqual(head.metadata, { new: '2' });
    assert.deepEqual((await backend.head('src')).metadata, { old: '1' });
  });

  it('checks source conditions and reports a missing source', async () => {
    const backend = await fresh();
    await put(backend, 'src', 'payload');
    await rejectsWith(() => backend.copy('src', 'dst', { conditions: { ifMatch: quotedMd5('other') } }), PreconditionFailedError);
    await rejectsWith(() => backend.copy('missing', 'dst'), ObjectNotFoundError);
    await rejectsWith(() => backend.head('dst'), ObjectNotFoundError);
  });
});
