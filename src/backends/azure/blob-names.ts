/**
 * Object keys ↔ blob names. The Blob service turns `\` in a blob name into
 * `/` (Azurite does, as Azure's naming rules warn), which would merge
 * `a\b` with `a/b`. Keys keep every other character; `\` is stored as
 * U+F05C, the private-use stand-in that Windows' services for Unix use for
 * the same character. A key that itself holds U+F05C could not be told
 * apart, so it is refused (`blobNameProblem`).
 */

const BACKSLASH_STAND_IN = '\uF05C';

/** Why a key cannot be a blob name (undefined when it can). */
export function blobNameProblem(key: string): string | undefined {
  return key.includes(BACKSLASH_STAND_IN) ? 'keys holding U+F05C cannot be stored in Azure Blob storage (it stands in for "\\")' : undefined;
}

export function toBlobName(key: string): string {
  return key.replaceAll('\\', BACKSLASH_STAND_IN);
}

export function fromBlobName(name: string): string {
  return name.replaceAll(BACKSLASH_STAND_IN, '\\');
}
