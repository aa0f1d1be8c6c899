/**
 * The file-system backend as a plug-in: `type: fs` with a `root` folder,
 * resolved against the config file's folder and checked to exist at load.
 * Node only: the Node registry carries it, the portable one does not.
 */
import { z } from 'zod';
import { connectionSchema } from '../../config/connection-schema.ts';
import { nonEmpty } from '../../config/schema-parts.ts';
import { type ConnectionOf, defineBackendPlugin } from '../plugin.ts';
import { FsBackend } from './fs-backend.ts';

export const fsConnectionSchema = connectionSchema('fs', {
  /** The folder holding the objects; absolute once validated (resolved against the config file's folder). */
  root: nonEmpty('root'),
  /** Hours after which a multipart upload nobody completed or aborted is removed with its parts (default 24). */
  multipartMaxAgeHours: z.number().positive().max(24 * 365).optional(),
});

export type FsConnectionConfig = ConnectionOf<typeof fsConnectionSchema>;

export const fsBackendPlugin = defineBackendPlugin({
  type: 'fs',
  configSchema: fsConnectionSchema,
  directories: ['root'],
  create: (connection) => new FsBackend({
    root: connection.root,
    readOnly: connection.readOnly,
    ...(connection.multipartMaxAgeHours !== undefined && { multipartMaxAgeHours: connection.multipartMaxAgeHours }),
  }),
});
