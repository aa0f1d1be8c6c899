/**
 * The fs backend's multipart housekeeping: abandoned uploads are swept after
 * the configured age, and upload ids that are not the backend's own shape
 * never become paths.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { NoSuchUploadError } from '../../core/backend-errors.ts';
import { bytesBody } from '../../core/body.ts';
import { FsBackend } from './fs-backend.ts';

test('uploads older than multipartMaxAgeHours are swept with their parts; younger ones stay', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'sluice-fs-sweep-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const backend = new FsBackend({ root, readOnly: false, multipartMaxAgeHours: 1 });
  const { uploadId } = await backend.multipart.create('old', { metadata: {} });
  await backend.multipart.uploadPart('old', uploadId, 1, bytesBody('part'));
  await backend.multipart.sweep(Date.now() + 30 * 60 * 1000);
  assert.equal((await backend.multipart.listParts('old', uploadId, { maxParts: 10 })).parts.length, 1);
  await backend.multipart.sweep(Date.now() + 61 * 60 * 1000);
  await assert.rejects(backend.multipart.listParts('old', uploadId, { maxParts: 10 }), NoSuchUploadError);
  assert.deepEqual(await readdir(join(root, '.sluice', 'uploads')), []);
});

test('an upload id of another shape is NoSuchUpload, never a path', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'sluice-fs-ids-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const backend = new FsBackend({ root, readOnly: false });
  await backend.multipart.create('k', { metadata: {} });
  for (const id of ['../meta', '..', '', 'ABCDEF', '0'.repeat(31)]) {
    await assert.rejects(backend.multipart.listParts('k', id, { maxParts: 10 }), NoSuchUploadError, id);
    await assert.rejects(backend.multipart.abort('k', id), NoSuchUploadError, id);
  }
});

test('a read-only root refuses to start an upload', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'sluice-fs-ro-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  await assert.rejects(new FsBackend({ root, readOnly: true }).multipart.create('k', { metadata: {} }), { name: 'WriteNotAllowedError' });
});
