/**
 * The backend contract against the fs backend: the whole root, and a bucket's
 * view of a folder in it (`withPrefix`) with objects planted beside the
 * folder, so that any leak across the bucket's prefix shows up.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBackendContract } from '../../../test/contract/backend-contract.ts';
import { runMultipartContract } from '../../../test/contract/multipart-contract.ts';
import type { Backend } from '../../core/backend.ts';
import { bytesBody } from '../../core/body.ts';
import { scopeBackend } from '../../core/scoped-backend.ts';
import { FsBackend } from './fs-backend.ts';

const skip = {
  'a key and keys below it (`a` and `a/b`) coexist and list apart':
    'a file system cannot hold a file and a folder of the same name (KeyConflictError instead)',
  'the whole hostile corpus coexists and lists in byte order':
    'a file system cannot hold `..` and `../x` (or `.sluice` and `.sluice/x`) as both file and folder',
};

runBackendContract(
  'fs',
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'sluice-fs-contract-'));
    return { backend: new FsBackend({ root, readOnly: false }), cleanup: () => rm(root, { recursive: true, force: true }) };
  },
  {
    readOnly: (writable) => new FsBackend({ root: (writable as FsBackend).root, readOnly: true }),
    skip,
  },
);

const BUCKET_PREFIX = 'buckets/public/';
/** Objects just outside the bucket's folder: a view that ignored its prefix would list them. */
const NEIGHBOURS = ['buckets/public0', 'buckets/publi', 'buckets/private/x', 'outside'];
const rootOfView = new WeakMap<Backend, string>();

runBackendContract(
  'fs bucket view',
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'sluice-fs-contract-'));
    const connection = new FsBackend({ root, readOnly: false });
    for (const key of NEIGHBOURS) await connection.put(key, bytesBody(key), { metadata: {} });
    const backend = scopeBackend(connection, BUCKET_PREFIX);
    rootOfView.set(backend, root);
    return { backend, cleanup: () => rm(root, { recursive: true, force: true }) };
  },
  {
    readOnly: (writable) => scopeBackend(new FsBackend({ root: rootOfView.get(writable)!, readOnly: true }), BUCKET_PREFIX),
    skip,
  },
);

runMultipartContract('fs', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sluice-fs-multipart-'));
  return { backend: new FsBackend({ root, readOnly: false }), cleanup: () => rm(root, { recursive: true, force: true }) };
});

runMultipartContract('fs bucket view', async () => {
  const root = await mkdtemp(join(tmpdir(), 'sluice-fs-multipart-'));
  const connection = new FsBackend({ root, readOnly: false });
  // Uploads just outside the bucket's folder: a view that ignored its prefix would list them.
  for (const key of NEIGHBOURS) await connection.multipart.create(key, { metadata: {} });
  return { backend: scopeBackend(connection, BUCKET_PREFIX), cleanup: () => rm(root, { recursive: true, force: true }) };
});
