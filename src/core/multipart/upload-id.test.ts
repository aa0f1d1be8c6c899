/**
 * Sealed upload ids: each opens only for the connection, bucket and key it
 * was sealed for; anything else is NoSuchUpload.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NoSuchUploadError } from '../backend-errors.ts';
import { UploadIdCodec } from './upload-id.ts';

const codec = new UploadIdCodec(new TextEncoder().encode('a secret of the gateway'));
const binding = { connection: 'main', bucket: 'photos', key: 'a/b.jpg' };

test('an id opens with its own binding and no other', async () => {
  const sealed = await codec.seal('backend-id/with.odd=chars', binding);
  assert.equal(await codec.open(sealed, binding), 'backend-id/with.odd=chars');
  for (const other of [{ ...binding, key: 'a/c.jpg' }, { ...binding, bucket: 'docs' }, { ...binding, connection: 'disk' }]) {
    await assert.rejects(codec.open(sealed, other), NoSuchUploadError);
  }
  const elsewhere = new UploadIdCodec(new TextEncoder().encode('another secret'));
  await assert.rejects(elsewhere.open(sealed, binding), NoSuchUploadError);
});

test('forged and malformed ids are NoSuchUpload', async () => {
  const sealed = await codec.seal('id', binding);
  const [payload, mac] = sealed.split('.');
  for (const forged of ['', 'id', `${payload}`, `${payload}.`, `${payload}.${mac}.x`, `aWQy.${mac}`, `${payload}.${mac!.slice(1)}A`, '!!.!!']) {
    await assert.rejects(codec.open(forged, binding), NoSuchUploadError, forged);
  }
});
