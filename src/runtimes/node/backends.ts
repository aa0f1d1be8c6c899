/**
 * One backend per configured connection, for the Node runtime (which can
 * offer the file-system backend as well as the portable ones).
 */
import type { Backend } from '../../core/backend.ts';
import type { ConnectionConfig, SluiceConfig } from '../../core/config.ts';
import { FsBackend } from '../../backends/fs/fs-backend.ts';
import { MemoryBackend } from '../../backends/memory/memory-backend.ts';

export function createBackend(connection: ConnectionConfig): Backend {
  switch (connection.type) {
    case 'fs':
      return new FsBackend({ root: connection.root, readOnly: connection.readOnly });
    case 'memory':
      return new MemoryBackend({ readOnly: connection.readOnly });
  }
}

export function createBackends(config: SluiceConfig): Map<string, Backend> {
  return new Map(Object.entries(config.connections).map(([name, connection]) => [name, createBackend(connection)]));
}
