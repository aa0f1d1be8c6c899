/**
 * The console's static files as the build makes them (`scripts/build-console.mjs`):
 * `index.html`, which names the others, and content-hashed scripts and styles
 * under `assets/`. A runtime supplies them to the app — Node reads them from
 * `dist/console-assets/`, the Workers bundle embeds them — so the route serving them
 * stays runtime-agnostic.
 */

export interface ConsoleAsset {
  /** Path below `/.console/`, such as `index.html` or `assets/app-3F2A1B9C.js`. */
  path: string;
  contentType: string;
  body: Uint8Array;
  /** Content-hashed: the same path never changes, so clients may keep it for a year. */
  immutable: boolean;
}

export type ConsoleAssets = ReadonlyMap<string, ConsoleAsset>;

/** The manifest the build writes beside the files (and embeds, with the bodies in base64, in the Workers bundle). */
export interface ConsoleManifestEntry {
  path: string;
  contentType: string;
  immutable: boolean;
  /** Present only in the embedded form. */
  base64?: string;
}

/** The files of an embedded manifest, decoded. */
export function decodeEmbeddedAssets(entries: readonly ConsoleManifestEntry[]): ConsoleAssets {
  const assets = new Map<string, ConsoleAsset>();
  for (const entry of entries) {
    if (entry.base64 === undefined) throw new TypeError(`embedded console asset ${entry.path} has no body`);
    const binary = atob(entry.base64);
    const body = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) body[i] = binary.charCodeAt(i);
    assets.set(entry.path, { path: entry.path, contentType: entry.contentType, immutable: entry.immutable, body });
  }
  return assets;
}
