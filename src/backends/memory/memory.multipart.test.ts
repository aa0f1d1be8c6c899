import { runMultipartContract } from '../../../test/contract/multipart-contract.ts';
import { MemoryBackend } from './memory-backend.ts';
import { scopeBackend } from '../../core/scoped-backend.ts';

runMultipartContract('memory', async () => ({ backend: new MemoryBackend(), cleanup: async () => {} }));
runMultipartContract('memory bucket view', async () => {
  const connection = new MemoryBackend();
  // Uploads just outside the bucket's prefix: a view that ignored it would list them.
  for (const key of ['bucket0', 'bucke', 'other/a']) await connection.multipart.create(key, { metadata: {} });
  return { backend: scopeBackend(connection, 'bucket/'), cleanup: async () => {} };
});
