/**
 * Object keys ↔ blob names. The Blob service turns `\` in a blob name into
 * `/` (Azurite does, as Azure's naming rules warn), which would merge
 * `a\b` with `a/b`. Keys keep every other character; `\` is stored as
 * U+F05C, the private-use stand-in that Windows' services for Unix use for
 * the same character. A key that itself holds U+F05C could not be told
 * apart, so it is refused (`blobNameProblem`).
 *
 * The folder `.sluice/` at the top of the connection's blob names holds the
 * multipart upload registry (`upload-registry.ts`), and listings leave it
 * out. Keys keep that name space all the same: a key whose first segment is
 * `.sluice` followed by any number of `~` gets one more `~` as a blob name
 * (`.sluice/a` → `.sluice~/a`, `.sluice~/a` → `.sluice~~/a`), so no key
 * ever lands in the registry and the mapping stays one to one.
 */

const BACKSLASH_STAND_IN = '\uF05C';
/** The gateway's reserved folder in an Azure connection. */
export const RESERVED_FOLDER = '.sluice/';

/** Blob names that start like this are escaped keys (`.sluice~…/`). */
export const ESCAPED_FOLDER_START = '.sluice~';
const KEY_IN_FOLDER = /^\.sluice(~*)\//;
const ESCAPED_KEY = /^\.sluice~(~*)\//;

/** Why a key cannot be a blob name (undefined when it can). */
export function blobNameProblem(key: string): string | undefined {
  return key.includes(BACKSLASH_STAND_IN) ? 'keys holding U+F05C cannot be stored in Azure Blob storage (it stands in for "\\")' : undefined;
}

/** Whether a listed blob name (relative to the base prefix, or a common prefix) lies in the reserved folder. */
export function isReservedName(name: string): boolean {
  return name.startsWith(RESERVED_FOLDER);
}

export function toBlobName(key: string): string {
  return key.replaceAll('\\', BACKSLASH_STAND_IN).replace(KEY_IN_FOLDER, '.sluice~$1/');
}

export function fromBlobName(name: string): string {
  return name.replace(ESCAPED_KEY, '.sluice$1/').replaceAll(BACKSLASH_STAND_IN, '\\');
}
