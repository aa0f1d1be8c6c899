/**
 * The backends every runtime can run (no runtime-specific imports): the
 * registry a Workers runtime uses, and the base the Node registry extends.
 * A new portable backend is one line here.
 */
import { azureBackendPlugin } from './azure/plugin.ts';
import { gcsBackendPlugin } from './gcs/plugin.ts';
import { memoryBackendPlugin } from './memory/plugin.ts';
import { createBackendRegistry } from './registry.ts';
import { s3BackendPlugin } from './s3/plugin.ts';

export const portableBackends = createBackendRegistry([
  memoryBackendPlugin,
  s3BackendPlugin,
  azureBackendPlugin,
  gcsBackendPlugin,
]);
