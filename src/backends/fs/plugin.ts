/**
 * The file-system backend as a plug-in: `type: fs` with a `root` folder,
 * resolved against the config file's folder and checked to exist at load.
 * Node only: the Node registry carries it, the portable one does not.
 */
import { connectionSchema } from '../../config/connection-schema.ts';
import { nonEmpty } from '../../config/schema-parts.ts';
import { type ConnectionOf, defineBackendPlugin } from '../plugin.ts';
import { FsBackend } from './fs-backend.ts';

export const fsConnectionSchema = connectionSchema('fs', {
  /** The folder holding the objects; absolute once validated (resolved against the config file's folder). */
  root: nonEmpty('root'),
});

export type FsConnectionConfig = ConnectionOf<typeof fsConnectionSchema>;

export const fsBackendPlugin = defineBackendPlugin({
  type: 'fs',
  configSchema: fsConnectionSchema,
  directories: ['root'],
  create: (connection) => new FsBackend({ root: connection.root, readOnly: connection.readOnly }),
});
