import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBackendContract } from '../../../test/contract/backend-contract.ts';
import { FsBackend } from './fs-backend.ts';

runBackendContract(
  'fs',
  async () => {
    const root = await mkdtemp(join(tmpdir(), 'sluice-fs-contract-'));
    return { backend: new FsBackend({ root, readOnly: false }), cleanup: () => rm(root, { recursive: true, force: true }) };
  },
  {
    readOnly: (writable) => new FsBackend({ root: (writable as FsBackend).root, readOnly: true }),
    skip: {
      'a key and keys below it (`a` and `a/b`) coexist and list apart':
        'a file system cannot hold a file and a folder of the same name (KeyConflictError instead)',
      'the whole hostile corpus coexists and lists in byte order':
        'a file system cannot hold `..` and `../x` (or `.sluice` and `.sluice/x`) as both file and folder',
    },
  },
);
