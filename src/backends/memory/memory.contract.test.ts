import { MemoryBackend } from './memory-backend.ts';
import { runBackendContract } from '../../../test/contract/backend-contract.ts';

runBackendContract('memory', async () => ({ backend: new MemoryBackend(), cleanup: async () => {} }), {
  readOnly: (writable) => (writable as MemoryBackend).readOnlyView(),
});
