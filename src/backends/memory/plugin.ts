/**
 * The memory backend as a plug-in: `type: memory`, no settings beyond
 * `readOnly`. Runtime-agnostic, so both registries carry it.
 */
import { connectionSchema } from '../../config/connection-schema.ts';
import { type ConnectionOf, defineBackendPlugin } from '../plugin.ts';
import { MemoryBackend } from './memory-backend.ts';

export const memoryConnectionSchema = connectionSchema('memory', {});

export type MemoryConnectionConfig = ConnectionOf<typeof memoryConnectionSchema>;

export const memoryBackendPlugin = defineBackendPlugin({
  type: 'memory',
  configSchema: memoryConnectionSchema,
  create: (connection, services) => new MemoryBackend({ readOnly: connection.readOnly, now: services.now }),
});
