/**
 * The console's files for the Node runtime, read once from the build's
 * `console-assets/` folder: `dist/console-assets/` beside the compiled modules, or — when
 * the sources run through tsx — the same folder of the last `npm run build`.
 * `manifest.json` lists the files with their types; missing: not built.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConsoleAsset, ConsoleAssets, ConsoleManifestEntry } from '../../console/console-assets.ts';

const CANDIDATES = [
  // dist/runtimes/node/ → dist/console-assets/
  fileURLToPath(new URL('../../console-assets/', import.meta.url)),
  // src/runtimes/node/ → dist/console-assets/
  fileURLToPath(new URL('../../../dist/console-assets/', import.meta.url)),
];

async function readManifest(dir: string): Promise<ConsoleManifestEntry[] | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as ConsoleManifestEntry[];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The built console, or undefined when no build is found. `dirs` is for tests. */
export async function loadConsoleAssets(dirs: readonly string[] = CANDIDATES): Promise<ConsoleAssets | undefined> {
  for (const dir of dirs) {
    const manifest = await readManifest(dir);
    if (!manifest) continue;
    const assets = new Map<string, ConsoleAsset>();
    for (const entry of manifest) {
      // The manifest is the build's own; still, never read outside the folder.
      if (entry.path.split('/').some((part) => part === '..' || part === '')) throw new Error(`console manifest: bad path ${entry.path}`);
      const body = new Uint8Array(await readFile(join(dir, entry.path)));
      assets.set(entry.path, { path: entry.path, contentType: entry.contentType, immutable: entry.immutable, body });
    }
    return assets;
  }
  return undefined;
}
