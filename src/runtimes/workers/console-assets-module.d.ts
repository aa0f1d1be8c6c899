/**
 * The module the Workers build generates from the console's built files
 * (`scripts/build-console.mjs`): each file with its body in base64.
 */
declare module 'sluice:console-assets' {
  import type { ConsoleManifestEntry } from '../../console/console-assets.ts';
  const assets: readonly ConsoleManifestEntry[];
  export default assets;
}
