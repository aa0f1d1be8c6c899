/**
 * The backends the Node runtime offers: every portable one, plus the
 * file-system backend, which needs `node:fs`.
 */
import { fsBackendPlugin } from '../../backends/fs/plugin.ts';
import { portableBackends } from '../../backends/portable-registry.ts';
import { createBackendRegistry } from '../../backends/registry.ts';

export const nodeBackends = createBackendRegistry([
  ...portableBackends.plugins,
  fsBackendPlugin,
]);
