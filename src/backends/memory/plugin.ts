/**
 * The memory backend as a plug-in: `type: memory`, with an optional
 * `maxBytes` cap on what it holds. Runtime-agnostic, so both registries
 * carry it.
 */
import { z } from 'zod';
import { connectionSchema } from '../../config/connection-schema.ts';
import { type ConnectionOf, defineBackendPlugin } from '../plugin.ts';
import { MemoryBackend } from './memory-backend.ts';

export const memoryConnectionSchema = connectionSchema('memory', {
  /** Most bytes of objects held at once; absent: the backend's default (256 MiB), kept in one place (`memory-backend.ts`). */
  maxBytes: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  /** Hours after which a multipart upload nobody completed or aborted is dropped with its parts (default 24). */
  multipartMaxAgeHours: z.number().positive().max(24 * 365).optional(),
});

export type MemoryConnectionConfig = ConnectionOf<typeof memoryConnectionSchema>;

export const memoryBackendPlugin = defineBackendPlugin({
  type: 'memory',
  configSchema: memoryConnectionSchema,
  create: (connection, services) =>
    new MemoryBackend({
      readOnly: connection.readOnly,
      now: services.now,
      ...(connection.maxBytes !== undefined && { maxBytes: connection.maxBytes }),
      ...(connection.multipartMaxAgeHours !== undefined && { multipartMaxAgeHours: connection.multipartMaxAgeHours }),
    }),
});
