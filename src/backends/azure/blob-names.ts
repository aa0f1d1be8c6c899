/**
 * Object keys ↔ blob names. The Blob service turns `\` in a blob name into
 * `/` (Azurite does, as Azure's naming rules warn), which would merge
 * `a\b` with `a/b`. Keys keep every other character; `\` is stored as
 * U+F05C, the private-use stand-in that Windows' services for Unix use for
 * the same character. A key that itself holds U+F05C could not be told
 * apart, so it is refused (`blobNameProblem`).
 *
 * The folder `.sluice/` at the top of the connection's key space holds the
 * multipart upload registry (`upload-registry.ts`): keys there are refused
 * and listings leave it out.
 */

const BACKSLASH_STAND_IN = '\uF05C';
/** The gateway's reserved folder in an Azure connection. */
export const RESERVED_FOLDER = '.sluice/';

/** Why a key cannot be a blob name (undefined when it can). */
export function blobNameProblem(key: string): string | undefined {
  if (key.startsWith(RESERVED_FOLDER)) return `keys under "${RESERVED_FOLDER}" are reserved for the gateway's multipart uploads on Azure connections`;
  return key.includes(BACKSLASH_STAND_IN) ? 'keys holding U+F05C cannot be stored in Azure Blob storage (it stands in for "\\")' : undefined;
}

/** Whether a listed key (or common prefix) lies in the reserved folder. */
export function isReservedKey(key: string): boolean {
  return key.startsWith(RESERVED_FOLDER);
}

export function toBlobName(key: string): string {
  return key.replaceAll('\\', BACKSLASH_STAND_IN);
}

export function fromBlobName(name: string): string {
  return name.replaceAll(BACKSLASH_STAND_IN, '\\');
}
